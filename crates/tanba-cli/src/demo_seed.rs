//! The demo's believable data, put in through the server's own gRPC API the way participants
//! would: an operator registers producers, an importer, a wholesaler, retailers, a fiscal data
//! operator, an authority and a ministry; producers register products with Kazakh, Russian and
//! English names, order and download codes, report them applied, introduce and aggregate them;
//! pallets are shipped and accepted with signed documents, boxes sold on, units sold at tills and
//! one returned; an authority blocks a box; milk goes past its expiry date; a batch of lemonade
//! spread over the wholesaler and both shops is recalled by its producer.
//!
//! What comes out is `demo-codes.json`: for each verdict a public check can give, a few full codes
//! (raw element string with GS) and their Digital Link URLs, and every participant's key file.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use serde::Serialize;
use tanba_client::{Connection, KeyFile};
use tanba_gs1::{MarkingCode, OutputForm, ParseOptions};
use tanba_proto::v1 as pb;
use tanba_types::{Date, Gtin, TaxpayerId};

/// How long the demo waits for an emission order to be issued.
const ORDER_TIMEOUT: Duration = Duration::from_secs(120);
/// Codes of each verdict written to `demo-codes.json`.
const CODES_PER_VERDICT: usize = 3;
/// A day, in milliseconds.
const DAY_MS: u64 = 86_400_000;

/// One demo participant.
pub struct Member {
    /// Its short name in file names and `demo-codes.json`.
    pub handle: &'static str,
    /// Its registered name.
    pub name: &'static str,
    /// Its roles.
    pub roles: &'static [pb::Role],
    /// Its key.
    pub key: KeyFile,
}

impl Member {
    fn id(&self) -> TaxpayerId {
        self.key.participant
    }
}

/// A valid BIN from its first 11 digits (registration year and month, legal-entity kind, number):
/// the next number whose check digit exists.
pub(crate) fn bin(first_eleven: u64) -> TaxpayerId {
    (first_eleven..)
        .find_map(|candidate| {
            let payload = format!("{candidate:011}");
            let digits: [u8; 11] = payload
                .bytes()
                .map(|b| b - b'0')
                .collect::<Vec<_>>()
                .try_into()
                .ok()?;
            let check = tanba_types::kz::taxpayer_check_digit(&digits)?;
            TaxpayerId::parse(&format!("{payload}{check}")).ok()
        })
        .expect("a check digit exists within ten numbers")
}

/// A GTIN-14 with Kazakhstan's GS1 prefix (487) from an item number.
fn gtin(item: u64) -> String {
    let payload = format!("0487{:09}", 600_000_000 + item);
    let check = tanba_gs1::check_digit::compute(&payload).expect("13 digits");
    format!("{payload}{check}")
}

/// An SSCC with Kazakhstan's prefix, numbered from the log head so that runs never collide.
fn sscc(n: u64) -> String {
    let payload = format!("1487{:013}", n);
    let check = tanba_gs1::check_digit::compute(&payload).expect("17 digits");
    format!("(00){payload}{check}")
}

/// The cast, with fresh keys.
pub fn cast() -> Vec<Member> {
    use pb::Role;
    let member = |handle, name, roles, bin_payload| Member {
        handle,
        name,
        roles,
        key: KeyFile::generate(bin(bin_payload)),
    };
    vec![
        member(
            "operator",
            "РГП «Танба операторы»",
            &[Role::Operator],
            12_045_000_001,
        ),
        member("water", "ТОО «Алматы Су»", &[Role::Producer], 5_040_000_123),
        member(
            "dairy",
            "ТОО «Шымкент Сүт»",
            &[Role::Producer],
            8_040_000_456,
        ),
        member(
            "importer",
            "ТОО «Еуразия Импорт»",
            &[Role::Importer, Role::Wholesaler],
            11_040_000_789,
        ),
        member(
            "wholesaler",
            "ТОО «Дала Дистрибьюшн»",
            &[Role::Wholesaler],
            9_040_001_011,
        ),
        member(
            "shop_almaty",
            "ТОО «Көктем Маркет»",
            &[Role::Retailer],
            14_040_001_213,
        ),
        member(
            "shop_astana",
            "ИП «Сарыарқа Дүкені»",
            &[Role::Retailer],
            16_040_001_415,
        ),
        member(
            "fiscal",
            "АО «ОФД Казахтелеком»",
            &[Role::FiscalDataOperator],
            10_040_001_617,
        ),
        member(
            "sanitary",
            "Комитет санитарно-эпидемиологического контроля",
            &[Role::Authority],
            19_040_001_819,
        ),
        member(
            "standards",
            "Комитет технического регулирования и метрологии",
            &[Role::Authority],
            19_040_002_223,
        ),
        member(
            "ministry",
            "Министерство финансов Республики Казахстан",
            &[Role::Ministry],
            12_040_002_021,
        ),
        // The state services: their providers, the trade authority and Atameken for REX, the
        // quality-control authority for complaints, and a foreign trader's branch applying for
        // a re-export permit.
        member(
            "industrial_development",
            "Комитет индустриального развития МИИР РК",
            &[Role::Authority],
            19_040_002_425,
        ),
        member(
            "industry_committee",
            "Комитет промышленности МПС РК",
            &[Role::Authority],
            26_010_002_627,
        ),
        member(
            "trade",
            "Министерство торговли и интеграции РК",
            &[Role::Authority],
            19_040_002_829,
        ),
        member(
            "atameken",
            "НПП РК «Атамекен»",
            &[Role::Authority],
            13_040_003_031,
        ),
        member(
            "quality",
            "Агентство по делам государственной службы РК",
            &[Role::Authority],
            19_040_003_233,
        ),
        member(
            "steppe_trading",
            "Филиал «Steppe Trading GmbH» в Астане",
            &[Role::Wholesaler],
            15_041_003_435,
        ),
    ]
}

/// A code of `demo-codes.json`.
#[derive(Debug, Clone, Serialize)]
pub struct DemoCode {
    /// The raw element string with GS separators, as a scanner reads it.
    pub raw: String,
    /// Its GS1 Digital Link on this server (with the tail as query attributes).
    pub digital_link: String,
    /// The bracketed form, for people.
    pub bracketed: String,
}

/// A participant in `demo-codes.json`.
#[derive(Debug, Clone, Serialize)]
pub struct DemoParticipant {
    /// Its short name.
    pub handle: String,
    /// Its IIN/BIN.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its roles.
    pub roles: Vec<String>,
    /// Its key file.
    pub key_file: String,
}

/// What the demo writes for scripts and people.
#[derive(Debug, Clone, Serialize)]
pub struct DemoCodes {
    /// The HTTP base URL.
    pub http: String,
    /// The gRPC address.
    pub grpc: String,
    /// Codes by the verdict a public check gives them.
    pub genuine: Vec<DemoCode>,
    /// Sold to a consumer.
    pub sold: Vec<DemoCode>,
    /// Blocked by an authority.
    pub blocked: Vec<DemoCode>,
    /// Past their expiry date.
    pub expired: Vec<DemoCode>,
    /// Issued but not yet in circulation.
    pub not_in_circulation: Vec<DemoCode>,
    /// Under a recall in progress, on shops' shelves.
    pub recalled: Vec<DemoCode>,
    /// The recall's case.
    pub recall_case: u64,
    /// The state services' cases, each at a stage worth looking at.
    pub cases: Vec<crate::demo_services::DemoCase>,
    /// The participants.
    pub participants: Vec<DemoParticipant>,
}

fn demo_code(raw: &str, http: &str) -> anyhow::Result<DemoCode> {
    let code = MarkingCode::parse(raw, &ParseOptions::default())?;
    Ok(DemoCode {
        raw: raw.to_owned(),
        digital_link: code.format(&OutputForm::DigitalLink(Some(http.to_owned())))?,
        bracketed: code.format(&OutputForm::Bracketed)?,
    })
}

fn names(kk: &str, ru: &str, en: &str) -> Option<pb::Names> {
    Some(pb::Names {
        kk: kk.into(),
        ru: ru.into(),
        en: en.into(),
    })
}

/// Signs in as `member`.
async fn signed_in(grpc: &str, member: &Member) -> anyhow::Result<Connection> {
    let mut connection = Connection::connect(grpc).await?;
    connection
        .sign_in(&member.key)
        .await
        .with_context(|| format!("signing in as {}", member.handle))?;
    Ok(connection)
}

/// Orders codes, waits for them, and downloads them (raw element strings).
async fn order(
    connection: &Connection,
    product: &str,
    quantity: u32,
) -> anyhow::Result<Vec<String>> {
    let order = connection
        .order_and_wait(Gtin::parse(product)?, quantity, ORDER_TIMEOUT, |_| {})
        .await?;
    Ok(connection.download_all(order).await?)
}

async fn applied_and_introduced(
    connection: &Connection,
    raws: &[String],
    production: Date,
    introduction: pb::introduce_request::How,
) -> anyhow::Result<()> {
    connection
        .codes()
        .report_applied(pb::ReportAppliedRequest {
            codes: raws.to_vec(),
            production_date: production.to_string(),
            expiry_date: String::new(),
            batch: format!("{}", production).replace('-', ""),
        })
        .await?;
    connection
        .codes()
        .introduce(pb::IntroduceRequest {
            codes: raws.to_vec(),
            how: Some(introduction),
        })
        .await?;
    Ok(())
}

async fn aggregate(
    connection: &Connection,
    parent: &str,
    children: Vec<String>,
) -> anyhow::Result<()> {
    connection
        .codes()
        .aggregate(pb::AggregateRequest {
            parent: parent.into(),
            children,
        })
        .await?;
    Ok(())
}

/// Ships `items` from `seller` to `buyer` and has the buyer accept all: two signed documents.
async fn deliver(
    seller: &Connection,
    buyer: &Connection,
    items: Vec<String>,
) -> anyhow::Result<()> {
    let document = seller
        .ship(buyer.participant().context("signed in")?, items)
        .await?;
    buyer.accept_all(document).await?;
    Ok(())
}

/// Seeds the demo through the server at `grpc`, writing key files under `directory/keys`.
pub async fn seed(
    grpc: &str,
    http: &str,
    directory: &Path,
    cast: &[Member],
    now_ms: u64,
    log_head: u64,
) -> anyhow::Result<DemoCodes> {
    let member = |handle: &str| {
        cast.iter()
            .find(|member| member.handle == handle)
            .expect("the cast has every handle")
    };
    let operator = signed_in(grpc, member("operator")).await?;
    for member in cast.iter().filter(|member| member.handle != "operator") {
        operator
            .registry()
            .register_participant(pb::RegisterParticipantRequest {
                participant: Some(pb::Participant {
                    id: member.id().to_string(),
                    name: member.name.into(),
                    roles: member.roles.iter().map(|role| *role as i32).collect(),
                    keys: vec![pb::ParticipantKey {
                        algorithm: "ed25519".into(),
                        public_key: member.key.public_key(),
                    }],
                    suspended: false,
                }),
            })
            .await
            .with_context(|| format!("registering {}", member.handle))?;
    }
    // The fiscal data operator forwards both shops' receipts, under contracts from a year ago.
    for shop in ["shop_almaty", "shop_astana"] {
        operator
            .registry()
            .assign_fiscal_operator(pb::AssignFiscalOperatorRequest {
                agency: Some(pb::FiscalAgency {
                    operator: member("fiscal").id().to_string(),
                    seller: member(shop).id().to_string(),
                    valid_from: Date::from_unix_ms_in_kz(now_ms - 365 * DAY_MS).to_string(),
                    valid_until: String::new(),
                }),
            })
            .await
            .with_context(|| format!("registering the fiscal data operator of {shop}"))?;
    }
    // The operator adds 2027 to the working-day calendar (terms cross the year end).
    operator
        .cases()
        .publish_calendar(pb::PublishCalendarRequest {
            toml: tanba_cases::calendar::CALENDAR_2027_TOML.into(),
        })
        .await
        .context("publishing the 2027 calendar")?;
    // Food and medicines of proper quality are not taken back (consumer protection law); water
    // is, for the demo's return.
    for (code, category_names, short_tail_length, return_period_days) in [
        (
            "water",
            names("Су және сусындар", "Вода и напитки", "Water and drinks"),
            0,
            14,
        ),
        (
            "dairy",
            names("Сүт өнімдері", "Молочная продукция", "Dairy products"),
            6,
            0,
        ),
        (
            "medicines",
            names("Дәрілік заттар", "Лекарственные средства", "Medicines"),
            0,
            0,
        ),
    ] {
        operator
            .registry()
            .define_category(pb::DefineCategoryRequest {
                category: Some(pb::Category {
                    code: code.into(),
                    names: category_names,
                    short_tail_length,
                    return_period_days,
                    control_list_code: String::new(),
                }),
            })
            .await?;
    }

    let water = signed_in(grpc, member("water")).await?;
    let dairy = signed_in(grpc, member("dairy")).await?;
    let importer = signed_in(grpc, member("importer")).await?;
    let wholesaler = signed_in(grpc, member("wholesaler")).await?;
    let shop_almaty = signed_in(grpc, member("shop_almaty")).await?;
    let shop_astana = signed_in(grpc, member("shop_astana")).await?;
    let fiscal = signed_in(grpc, member("fiscal")).await?;
    let sanitary = signed_in(grpc, member("sanitary")).await?;

    let product = |gtin: String,
                   names,
                   maker: &str,
                   producer: Option<TaxpayerId>,
                   importer: Option<TaxpayerId>,
                   country: &str,
                   hs: &str,
                   category: &str,
                   shelf_life_days| pb::Product {
        gtin,
        names,
        producer_name: maker.into(),
        producer: producer.map(|id| id.to_string()).unwrap_or_default(),
        importer: importer.map(|id| id.to_string()).unwrap_or_default(),
        country: country.into(),
        hs_code: hs.into(),
        category: category.into(),
        level: pb::PackageLevel::Unit as i32,
        shelf_life_days,
    };
    let water_gtin = gtin(log_head * 10 + 1);
    let milk_gtin = gtin(log_head * 10 + 2);
    let medicine_gtin = gtin(log_head * 10 + 3);
    water
        .registry()
        .register_product(pb::RegisterProductRequest {
            product: Some(product(
                water_gtin.clone(),
                names(
                    "«Алматы» минералды суы, газдалған, 0,5 л",
                    "Минеральная вода «Алматы» газированная, 0,5 л",
                    "Almaty sparkling mineral water, 0.5 l",
                ),
                member("water").name,
                Some(member("water").id()),
                None,
                "KZ",
                "2201101100",
                "water",
                365,
            )),
        })
        .await?;
    dairy
        .registry()
        .register_product(pb::RegisterProductRequest {
            product: Some(product(
                milk_gtin.clone(),
                names("Сүт 2,5%, 1 л", "Молоко 2,5%, 1 л", "Milk 2.5%, 1 l"),
                member("dairy").name,
                Some(member("dairy").id()),
                None,
                "KZ",
                "0401201100",
                "dairy",
                10,
            )),
        })
        .await?;
    importer
        .registry()
        .register_product(pb::RegisterProductRequest {
            product: Some(product(
                medicine_gtin.clone(),
                names(
                    "Парацетамол 500 мг, №20 таблетка",
                    "Парацетамол 500 мг, таблетки №20",
                    "Paracetamol 500 mg, 20 tablets",
                ),
                "Hexal AG",
                None,
                Some(member("importer").id()),
                "DE",
                "3004900002",
                "medicines",
                730,
            )),
        })
        .await?;

    let own = pb::introduce_request::How::OwnProduction(pb::OwnProduction {});

    // Water: 100 bottles into circulation, 20 kept back (issued, not yet on goods).
    let bottles = order(&water, &water_gtin, 120).await?;
    let (bottles, not_in_circulation) = bottles.split_at(100);
    applied_and_introduced(
        &water,
        bottles,
        Date::from_unix_ms_in_kz(now_ms - 3 * DAY_MS),
        own.clone(),
    )
    .await?;
    // Four boxes of 24 on a pallet; four bottles stay loose.
    let boxes: Vec<String> = (1..=4).map(|n| sscc(log_head * 100 + n)).collect();
    let pallet = sscc(log_head * 100 + 9);
    for (n, box_code) in boxes.iter().enumerate() {
        aggregate(&water, box_code, bottles[n * 24..(n + 1) * 24].to_vec()).await?;
    }
    aggregate(&water, &pallet, boxes.clone()).await?;
    deliver(&water, &wholesaler, vec![pallet.clone()]).await?;
    // The wholesaler breaks the pallet and sends a box to each shop.
    wholesaler
        .codes()
        .disaggregate(pb::DisaggregateRequest {
            codes: boxes.clone(),
        })
        .await?;
    deliver(&wholesaler, &shop_almaty, vec![boxes[0].clone()]).await?;
    deliver(&wholesaler, &shop_astana, vec![boxes[1].clone()]).await?;
    // The Almaty shop sells five bottles (the fiscal data operator forwards the receipt); one
    // comes back.
    let sold = &bottles[..5];
    let sale_receipt_id = format!("OFD-{log_head}-000001");
    fiscal
        .retail()
        .submit_receipt(pb::SubmitReceiptRequest {
            receipt_id: sale_receipt_id.clone(),
            seller: member("shop_almaty").id().to_string(),
            time_ms: now_ms,
            lines: sold
                .iter()
                .map(|raw| pb::ReceiptLine {
                    code: raw.clone(),
                    price_tiyn: 25_000,
                })
                .collect(),
        })
        .await?;
    shop_almaty
        .retail()
        .submit_return(pb::SubmitReturnRequest {
            receipt_id: format!("RET-{log_head}-000001"),
            sale_receipt_id,
            seller: String::new(),
            codes: vec![sold[4].clone()],
        })
        .await?;
    // A laboratory finds a problem with the third box, still at the wholesaler.
    sanitary
        .codes()
        .block(pb::BlockRequest {
            codes: vec![boxes[2].clone()],
            reason: "Зертханалық тексеру: ТР ТС 021/2011 сәйкессіздігі / Лабораторная проверка: несоответствие ТР ТС 021/2011".into(),
        })
        .await?;

    // Milk made three weeks ago with a ten-day shelf life: on the Almaty shop's shelf, expired.
    let milk = order(&dairy, &milk_gtin, 20).await?;
    applied_and_introduced(
        &dairy,
        &milk,
        Date::from_unix_ms_in_kz(now_ms - 21 * DAY_MS),
        own,
    )
    .await?;
    deliver(&dairy, &shop_almaty, milk.clone()).await?;

    // Medicines imported from Germany under a customs declaration, sold in Astana.
    let medicine = order(&importer, &medicine_gtin, 20).await?;
    let import = pb::introduce_request::How::Import(pb::Import {
        customs_declaration: "50108022/151126/0012345".into(),
    });
    applied_and_introduced(
        &importer,
        &medicine,
        Date::from_unix_ms_in_kz(now_ms - 90 * DAY_MS),
        import,
    )
    .await?;
    deliver(&importer, &shop_astana, medicine.clone()).await?;
    fiscal
        .retail()
        .submit_receipt(pb::SubmitReceiptRequest {
            receipt_id: format!("OFD-{log_head}-000002"),
            seller: member("shop_astana").id().to_string(),
            time_ms: now_ms,
            lines: vec![pb::ReceiptLine {
                code: medicine[0].clone(),
                price_tiyn: 120_000,
            }],
        })
        .await?;

    let lemonade_gtin = gtin(log_head * 10 + 4);
    let (recall_case, recalled) = seed_recall(
        &RecallCast {
            producer: &water,
            wholesaler: &wholesaler,
            shops: [&shop_almaty, &shop_astana],
            fiscal: &fiscal,
            authority: member("standards").id(),
            shop_almaty: member("shop_almaty").id(),
        },
        lemonade_gtin,
        now_ms,
        log_head,
    )
    .await
    .context("seeding the recall")?;

    let signed = crate::demo_services::Signed {
        operator: &operator,
        importer: &importer,
        wholesaler: &wholesaler,
    };
    let cases =
        crate::demo_services::seed(grpc, &signed, &|handle| member(handle).key.clone(), now_ms)
            .await
            .context("seeding the state services' cases")?;

    let pick = |raws: &[String]| -> anyhow::Result<Vec<DemoCode>> {
        raws.iter()
            .take(CODES_PER_VERDICT)
            .map(|raw| demo_code(raw, http))
            .collect()
    };
    let keys_directory = directory.join("keys");
    let participants = cast
        .iter()
        .map(|member| DemoParticipant {
            handle: member.handle.into(),
            id: member.id().to_string(),
            name: member.name.into(),
            roles: member
                .roles
                .iter()
                .map(|role| {
                    role.as_str_name()
                        .trim_start_matches("ROLE_")
                        .to_lowercase()
                })
                .collect(),
            key_file: keys_directory
                .join(format!("{}.json", member.handle))
                .display()
                .to_string(),
        })
        .collect();
    Ok(DemoCodes {
        http: http.into(),
        grpc: grpc.into(),
        // Box 1 (bottles 24..48) is on the Astana shop's shelf; box 2 (48..72) is blocked.
        genuine: pick(&[&bottles[24..27], &medicine[1..2]].concat())?,
        sold: pick(&bottles[..4])?,
        blocked: pick(&bottles[48..51])?,
        expired: pick(&milk)?,
        not_in_circulation: pick(not_in_circulation)?,
        recalled: pick(&recalled)?,
        recall_case,
        cases,
        participants,
    })
}

/// Who takes part in the demo's recall.
struct RecallCast<'a> {
    producer: &'a Connection,
    wholesaler: &'a Connection,
    shops: [&'a Connection; 2],
    fiscal: &'a Connection,
    authority: TaxpayerId,
    shop_almaty: TaxpayerId,
}

fn text(value: &str) -> tanba_types::FieldValue {
    tanba_types::FieldValue::One(tanba_types::Scalar::Text(value.to_owned()))
}

/// A recall in progress across several holders (R-REC): a batch of lemonade goes to the
/// wholesaler and on to both shops, two bottles are sold, then the producer recalls the batch.
/// Returns the case and the recalled bottles on the shops' shelves.
async fn seed_recall(
    cast: &RecallCast<'_>,
    lemonade: String,
    now_ms: u64,
    log_head: u64,
) -> anyhow::Result<(u64, Vec<String>)> {
    use tanba_types::{CaseCommand, FieldValue, Scalar};
    cast.producer
        .registry()
        .register_product(pb::RegisterProductRequest {
            product: Some(pb::Product {
                gtin: lemonade.clone(),
                names: names(
                    "«Алматы» лимонады, 1 л",
                    "Лимонад «Алматы», 1 л",
                    "Almaty lemonade, 1 l",
                ),
                producer_name: "ТОО «Алматы Су»".into(),
                producer: cast
                    .producer
                    .participant()
                    .context("signed in")?
                    .to_string(),
                importer: String::new(),
                country: "KZ".into(),
                hs_code: "2202100000".into(),
                category: "water".into(),
                level: pb::PackageLevel::Unit as i32,
                shelf_life_days: 180,
            }),
        })
        .await?;
    let produced = Date::from_unix_ms_in_kz(now_ms - 5 * DAY_MS);
    let bottles = order(cast.producer, &lemonade, 60).await?;
    let own = pb::introduce_request::How::OwnProduction(pb::OwnProduction {});
    applied_and_introduced(cast.producer, &bottles, produced, own).await?;
    deliver(cast.producer, cast.wholesaler, bottles[..30].to_vec()).await?;
    deliver(cast.wholesaler, cast.shops[0], bottles[..10].to_vec()).await?;
    deliver(cast.wholesaler, cast.shops[1], bottles[10..20].to_vec()).await?;
    cast.fiscal
        .retail()
        .submit_receipt(pb::SubmitReceiptRequest {
            receipt_id: format!("OFD-{log_head}-000003"),
            seller: cast.shop_almaty.to_string(),
            time_ms: now_ms,
            lines: bottles[..2]
                .iter()
                .map(|raw| pb::ReceiptLine {
                    code: raw.clone(),
                    price_tiyn: 45_000,
                })
                .collect(),
        })
        .await?;
    let moment = |ms| FieldValue::One(Scalar::Moment(ms));
    let ground = [
        ("ground_arose_at", moment(now_ms - DAY_MS)),
        ("detected_at", moment(now_ms - 2 * DAY_MS)),
        (
            "product_name",
            text("Лимонад «Алматы», 1 л / «Алматы» лимонады, 1 л"),
        ),
        (
            "non_conformity",
            text(
                "Консервант E211 сверх нормы ТР ТС 029/2012 / E211 консерванты ТР ТС 029/2012 нормасынан асады",
            ),
        ),
    ];
    let case = cast
        .producer
        .open_case(CaseCommand::Open {
            kind: "recall".into(),
            transition: "establish_ground".into(),
            authority: Some(cast.authority),
            parent: None,
            named: Vec::new(),
            form: ground.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            attachments: Vec::new(),
            signature: Vec::new(),
        })
        .await?;
    let batch = produced.to_string().replace('-', "");
    let scope = [
        ("gtin", text(&lemonade)),
        ("batch", text(&batch)),
        ("contacts", text("+7 727 300 00 00, recall@almaty-su.kz")),
        (
            "collection_points",
            text(
                "Алматы, Абай д-лы 1; Астана, Мәңгілік Ел 10 / Алматы, пр. Абая 1; Астана, пр. Мангилик Ел 10",
            ),
        ),
        (
            "responsible_persons",
            text("А. Сейтқали, сапа директоры / А. Сейткали, директор по качеству"),
        ),
    ];
    cast.producer
        .step_case(CaseCommand::Step {
            case,
            transition: "start_recall".into(),
            form: scope.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            attachments: Vec::new(),
            signature: Vec::new(),
        })
        .await?;
    Ok((case, [&bottles[2..5], &bottles[10..13]].concat()))
}
