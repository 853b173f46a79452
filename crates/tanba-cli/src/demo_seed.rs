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
use tanba_client::{Applied, Connection, KeyFile, ReceiptLine, ReturnReceipt, SalesReceipt};
use tanba_gs1::{MarkingCode, OutputForm, ParseOptions};
use tanba_types::{
    Category, Date, FiscalAgency, Gtin, HsCode, Introduction, Names, PackageLevel, Participant,
    ParticipantKey, ParticipantStatus, Product, Role, TailProfile, TaxpayerId,
};

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
    pub roles: &'static [Role],
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
fn gtin(item: u64) -> Gtin {
    let payload = format!("0487{:09}", 600_000_000 + item);
    let check = tanba_gs1::check_digit::compute(&payload).expect("13 digits");
    Gtin::parse(&format!("{payload}{check}")).expect("a GTIN with its check digit")
}

/// An SSCC with Kazakhstan's prefix, numbered from the log head so that runs never collide.
fn sscc(n: u64) -> String {
    let payload = format!("1487{:013}", n);
    let check = tanba_gs1::check_digit::compute(&payload).expect("17 digits");
    format!("(00){payload}{check}")
}

/// The cast, with fresh keys.
pub fn cast() -> Vec<Member> {
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
    /// Every bottle on the Astana shop's shelf (its box of 24, the genuine ones among them):
    /// what load tests sell and take back.
    pub shelf: Vec<DemoCode>,
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

fn names(kk: &str, ru: &str, en: &str) -> Names {
    Names {
        kk: kk.into(),
        ru: ru.into(),
        en: Some(en.into()),
    }
}

/// The member of the cast named `handle`.
fn find<'a>(cast: &'a [Member], handle: &str) -> &'a Member {
    cast.iter()
        .find(|member| member.handle == handle)
        .expect("the cast has every handle")
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
    product: Gtin,
    quantity: u32,
) -> anyhow::Result<Vec<String>> {
    let order = connection
        .order_and_wait(product, quantity, ORDER_TIMEOUT, |_| {})
        .await?;
    Ok(connection.download_all(order).await?)
}

/// Reports codes applied (batch named by the production day) and introduces them.
async fn applied_and_introduced(
    connection: &Connection,
    raws: &[String],
    production: Date,
    introduction: Introduction,
) -> anyhow::Result<()> {
    let applied = Applied {
        production_date: production,
        expiry_date: None,
        batch: Some(production.to_string().replace('-', "")),
    };
    connection.report_applied(raws.to_vec(), &applied).await?;
    connection.introduce(raws.to_vec(), &introduction).await?;
    Ok(())
}

/// A sales receipt a fiscal data operator forwards for `seller`, every line at one price.
fn sale(
    id: String,
    seller: TaxpayerId,
    time_ms: u64,
    codes: &[String],
    price: u64,
) -> SalesReceipt {
    SalesReceipt {
        receipt_id: id,
        seller: Some(seller),
        time_ms,
        lines: codes
            .iter()
            .map(|code| ReceiptLine {
                code: code.clone(),
                price_tiyn: price,
            })
            .collect(),
    }
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

/// The operator's part: registers the cast, the fiscal data operator's contracts with both
/// shops, the 2027 calendar and the categories.
async fn set_up_registry(
    operator: &Connection,
    cast: &[Member],
    now_ms: u64,
) -> anyhow::Result<()> {
    let id = |handle: &str| find(cast, handle).id();
    for member in cast.iter().filter(|member| member.handle != "operator") {
        let participant = Participant {
            id: member.id(),
            name: member.name.into(),
            roles: member.roles.iter().copied().collect(),
            keys: vec![ParticipantKey {
                algorithm: "ed25519".into(),
                public_key: member.key.public_key(),
            }],
            status: ParticipantStatus::Active,
        };
        operator
            .register_participant(&participant)
            .await
            .with_context(|| format!("registering {}", member.handle))?;
    }
    // The fiscal data operator forwards both shops' receipts, under contracts from a year ago.
    for shop in ["shop_almaty", "shop_astana"] {
        let agency = FiscalAgency {
            operator: id("fiscal"),
            seller: id(shop),
            valid_from: Date::from_unix_ms_in_kz(now_ms - 365 * DAY_MS),
            valid_until: None,
        };
        operator
            .assign_fiscal_operator(&agency)
            .await
            .with_context(|| format!("registering the fiscal data operator of {shop}"))?;
    }
    // The operator adds 2027 to the working-day calendar (terms cross the year end).
    operator
        .publish_calendar(tanba_cases::calendar::CALENDAR_2027_TOML.into())
        .await
        .context("publishing the 2027 calendar")?;
    // Food and medicines of proper quality are not taken back (consumer protection law); water
    // is, for the demo's return.
    for (code, names, tail_profile, return_period_days) in [
        (
            "water",
            names("Су және сусындар", "Вода и напитки", "Water and drinks"),
            TailProfile::Full,
            14,
        ),
        (
            "dairy",
            names("Сүт өнімдері", "Молочная продукция", "Dairy products"),
            TailProfile::Short { length_chars: 6 },
            0,
        ),
        (
            "medicines",
            names("Дәрілік заттар", "Лекарственные средства", "Medicines"),
            TailProfile::Full,
            0,
        ),
    ] {
        let category = Category {
            code: code.into(),
            names,
            tail_profile,
            return_period_days,
            control_list_code: None,
        };
        operator.define_category(&category).await?;
    }
    Ok(())
}

/// A product card of a unit: who makes or imports it, where, its HS code, category and shelf
/// life.
struct Card<'a> {
    gtin: Gtin,
    names: Names,
    maker: &'a str,
    producer: Option<TaxpayerId>,
    importer: Option<TaxpayerId>,
    country: &'a str,
    hs_code: &'a str,
    category: &'a str,
    shelf_life_days: u32,
}

/// Registers a unit's product card as `connection`'s participant.
async fn register(connection: &Connection, card: Card<'_>) -> anyhow::Result<()> {
    let product = Product {
        gtin: card.gtin,
        names: card.names,
        producer_name: card.maker.into(),
        producer: card.producer,
        importer: card.importer,
        country: card.country.into(),
        hs_code: HsCode::parse(card.hs_code)?,
        category: card.category.into(),
        level: PackageLevel::Unit,
        shelf_life_days: Some(card.shelf_life_days),
    };
    connection.register_product(&product).await?;
    Ok(())
}

/// The participants the goods move between, signed in.
struct Players {
    water: Connection,
    dairy: Connection,
    importer: Connection,
    wholesaler: Connection,
    shop_almaty: Connection,
    shop_astana: Connection,
    fiscal: Connection,
    sanitary: Connection,
}

impl Players {
    async fn sign_in(grpc: &str, cast: &[Member]) -> anyhow::Result<Players> {
        let member = |handle: &str| find(cast, handle);
        Ok(Players {
            water: signed_in(grpc, member("water")).await?,
            dairy: signed_in(grpc, member("dairy")).await?,
            importer: signed_in(grpc, member("importer")).await?,
            wholesaler: signed_in(grpc, member("wholesaler")).await?,
            shop_almaty: signed_in(grpc, member("shop_almaty")).await?,
            shop_astana: signed_in(grpc, member("shop_astana")).await?,
            fiscal: signed_in(grpc, member("fiscal")).await?,
            sanitary: signed_in(grpc, member("sanitary")).await?,
        })
    }

    fn id(connection: &Connection) -> anyhow::Result<TaxpayerId> {
        connection.participant().context("signed in")
    }
}

/// The products' GTINs, numbered from the log head so that runs never collide.
struct Gtins {
    water: Gtin,
    milk: Gtin,
    medicine: Gtin,
    lemonade: Gtin,
}

impl Gtins {
    fn from_log_head(log_head: u64) -> Gtins {
        Gtins {
            water: gtin(log_head * 10 + 1),
            milk: gtin(log_head * 10 + 2),
            medicine: gtin(log_head * 10 + 3),
            lemonade: gtin(log_head * 10 + 4),
        }
    }
}

/// The producers and the importer register the water, the milk and the medicine.
async fn register_products(
    players: &Players,
    gtins: &Gtins,
    cast: &[Member],
) -> anyhow::Result<()> {
    let water = Card {
        gtin: gtins.water,
        names: names(
            "«Алматы» минералды суы, газдалған, 0,5 л",
            "Минеральная вода «Алматы» газированная, 0,5 л",
            "Almaty sparkling mineral water, 0.5 l",
        ),
        maker: find(cast, "water").name,
        producer: Some(Players::id(&players.water)?),
        importer: None,
        country: "KZ",
        hs_code: "2201101100",
        category: "water",
        shelf_life_days: 365,
    };
    register(&players.water, water).await?;
    let milk = Card {
        gtin: gtins.milk,
        names: names("Сүт 2,5%, 1 л", "Молоко 2,5%, 1 л", "Milk 2.5%, 1 l"),
        maker: find(cast, "dairy").name,
        producer: Some(Players::id(&players.dairy)?),
        importer: None,
        country: "KZ",
        hs_code: "0401201100",
        category: "dairy",
        shelf_life_days: 10,
    };
    register(&players.dairy, milk).await?;
    let medicine = Card {
        gtin: gtins.medicine,
        names: names(
            "Парацетамол 500 мг, №20 таблетка",
            "Парацетамол 500 мг, таблетки №20",
            "Paracetamol 500 mg, 20 tablets",
        ),
        maker: "Hexal AG",
        producer: None,
        importer: Some(Players::id(&players.importer)?),
        country: "DE",
        hs_code: "3004900002",
        category: "medicines",
        shelf_life_days: 730,
    };
    register(&players.importer, medicine).await
}

/// Water: 100 bottles into circulation, 20 kept back (issued, not yet on goods); four boxes of
/// 24 on a pallet to the wholesaler, one box on to each shop, five bottles sold in Almaty and
/// one returned, the third box blocked at the wholesaler. Returns the bottles in circulation
/// and those kept back.
async fn seed_water(
    players: &Players,
    gtin: Gtin,
    now_ms: u64,
    log_head: u64,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let water = &players.water;
    let mut bottles = order(water, gtin, 120).await?;
    let not_in_circulation = bottles.split_off(100);
    let produced = Date::from_unix_ms_in_kz(now_ms - 3 * DAY_MS);
    applied_and_introduced(water, &bottles, produced, Introduction::OwnProduction).await?;
    // Four boxes of 24 on a pallet; four bottles stay loose.
    let boxes: Vec<String> = (1..=4).map(|n| sscc(log_head * 100 + n)).collect();
    let pallet = sscc(log_head * 100 + 9);
    for (n, box_code) in boxes.iter().enumerate() {
        let bottles_in_box = bottles[n * 24..(n + 1) * 24].to_vec();
        water.aggregate(box_code, bottles_in_box).await?;
    }
    water.aggregate(&pallet, boxes.clone()).await?;
    deliver(water, &players.wholesaler, vec![pallet]).await?;
    // The wholesaler breaks the pallet and sends a box to each shop.
    players.wholesaler.disaggregate(boxes.clone()).await?;
    deliver(
        &players.wholesaler,
        &players.shop_almaty,
        vec![boxes[0].clone()],
    )
    .await?;
    deliver(
        &players.wholesaler,
        &players.shop_astana,
        vec![boxes[1].clone()],
    )
    .await?;
    // The Almaty shop sells five bottles (the fiscal data operator forwards the receipt); one
    // comes back.
    let sold = &bottles[..5];
    let sale_receipt_id = format!("OFD-{log_head}-000001");
    let shop = Players::id(&players.shop_almaty)?;
    let receipt = sale(sale_receipt_id.clone(), shop, now_ms, sold, 25_000);
    players.fiscal.submit_receipt(&receipt).await?;
    let back = ReturnReceipt {
        receipt_id: format!("RET-{log_head}-000001"),
        sale_receipt_id,
        seller: None,
        codes: vec![sold[4].clone()],
    };
    players.shop_almaty.submit_return(&back).await?;
    // A laboratory finds a problem with the third box, still at the wholesaler.
    players
        .sanitary
        .block(
            vec![boxes[2].clone()],
            "Зертханалық тексеру: ТР ТС 021/2011 сәйкессіздігі / Лабораторная проверка: несоответствие ТР ТС 021/2011",
        )
        .await?;
    Ok((bottles, not_in_circulation))
}

/// Milk made three weeks ago with a ten-day shelf life: on the Almaty shop's shelf, expired.
async fn seed_milk(players: &Players, gtin: Gtin, now_ms: u64) -> anyhow::Result<Vec<String>> {
    let milk = order(&players.dairy, gtin, 20).await?;
    let produced = Date::from_unix_ms_in_kz(now_ms - 21 * DAY_MS);
    applied_and_introduced(&players.dairy, &milk, produced, Introduction::OwnProduction).await?;
    deliver(&players.dairy, &players.shop_almaty, milk.clone()).await?;
    Ok(milk)
}

/// Medicines imported from Germany under a customs declaration, one sold in Astana.
async fn seed_medicine(
    players: &Players,
    gtin: Gtin,
    now_ms: u64,
    log_head: u64,
) -> anyhow::Result<Vec<String>> {
    let medicine = order(&players.importer, gtin, 20).await?;
    let import = Introduction::Import {
        customs_declaration: "50108022/151126/0012345".into(),
    };
    let produced = Date::from_unix_ms_in_kz(now_ms - 90 * DAY_MS);
    applied_and_introduced(&players.importer, &medicine, produced, import).await?;
    deliver(&players.importer, &players.shop_astana, medicine.clone()).await?;
    let receipt_id = format!("OFD-{log_head}-000002");
    let shop = Players::id(&players.shop_astana)?;
    let receipt = sale(receipt_id, shop, now_ms, &medicine[..1], 120_000);
    players.fiscal.submit_receipt(&receipt).await?;
    Ok(medicine)
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
    let member = |handle: &str| find(cast, handle);
    let operator = signed_in(grpc, member("operator")).await?;
    set_up_registry(&operator, cast, now_ms).await?;
    let players = Players::sign_in(grpc, cast).await?;
    let gtins = Gtins::from_log_head(log_head);
    register_products(&players, &gtins, cast).await?;
    let (bottles, not_in_circulation) = seed_water(&players, gtins.water, now_ms, log_head).await?;
    let milk = seed_milk(&players, gtins.milk, now_ms).await?;
    let medicine = seed_medicine(&players, gtins.medicine, now_ms, log_head).await?;
    let recall_cast = RecallCast {
        producer: &players.water,
        wholesaler: &players.wholesaler,
        shops: [&players.shop_almaty, &players.shop_astana],
        fiscal: &players.fiscal,
        authority: member("standards").id(),
        shop_almaty: member("shop_almaty").id(),
    };
    let (recall_case, recalled) = seed_recall(&recall_cast, gtins.lemonade, now_ms, log_head)
        .await
        .context("seeding the recall")?;
    let signed = crate::demo_services::Signed {
        operator: &operator,
        importer: &players.importer,
        wholesaler: &players.wholesaler,
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
    Ok(DemoCodes {
        http: http.into(),
        grpc: grpc.into(),
        // Box 1 (bottles 24..48) is on the Astana shop's shelf; box 2 (48..72) is blocked.
        genuine: pick(&[&bottles[24..27], &medicine[1..2]].concat())?,
        sold: pick(&bottles[..4])?,
        blocked: pick(&bottles[48..51])?,
        expired: pick(&milk)?,
        not_in_circulation: pick(&not_in_circulation)?,
        recalled: pick(&recalled)?,
        shelf: (bottles[24..48].iter())
            .map(|raw| demo_code(raw, http))
            .collect::<anyhow::Result<_>>()?,
        recall_case,
        cases,
        participants: participants(cast, &directory.join("keys")),
    })
}

/// The cast as `demo-codes.json` lists it, with where each key file is.
fn participants(cast: &[Member], keys_directory: &Path) -> Vec<DemoParticipant> {
    cast.iter()
        .map(|member| DemoParticipant {
            handle: member.handle.into(),
            id: member.id().to_string(),
            name: member.name.into(),
            roles: member.roles.iter().map(Role::to_string).collect(),
            key_file: keys_directory
                .join(format!("{}.json", member.handle))
                .display()
                .to_string(),
        })
        .collect()
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
    lemonade: Gtin,
    now_ms: u64,
    log_head: u64,
) -> anyhow::Result<(u64, Vec<String>)> {
    let card = Card {
        gtin: lemonade,
        names: names(
            "«Алматы» лимонады, 1 л",
            "Лимонад «Алматы», 1 л",
            "Almaty lemonade, 1 l",
        ),
        maker: "ТОО «Алматы Су»",
        producer: Some(cast.producer.participant().context("signed in")?),
        importer: None,
        country: "KZ",
        hs_code: "2202100000",
        category: "water",
        shelf_life_days: 180,
    };
    register(cast.producer, card).await?;
    let produced = Date::from_unix_ms_in_kz(now_ms - 5 * DAY_MS);
    let bottles = order(cast.producer, lemonade, 60).await?;
    applied_and_introduced(
        cast.producer,
        &bottles,
        produced,
        Introduction::OwnProduction,
    )
    .await?;
    deliver(cast.producer, cast.wholesaler, bottles[..30].to_vec()).await?;
    deliver(cast.wholesaler, cast.shops[0], bottles[..10].to_vec()).await?;
    deliver(cast.wholesaler, cast.shops[1], bottles[10..20].to_vec()).await?;
    let receipt_id = format!("OFD-{log_head}-000003");
    let receipt = sale(receipt_id, cast.shop_almaty, now_ms, &bottles[..2], 45_000);
    cast.fiscal.submit_receipt(&receipt).await?;
    let case = open_recall(cast, lemonade, produced, now_ms).await?;
    Ok((case, [&bottles[2..5], &bottles[10..13]].concat()))
}

/// The producer establishes the recall's ground and starts it over the batch made on
/// `produced`; returns the case.
async fn open_recall(
    cast: &RecallCast<'_>,
    lemonade: Gtin,
    produced: Date,
    now_ms: u64,
) -> anyhow::Result<u64> {
    use tanba_types::{CaseCommand, FieldValue, Scalar};
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
        ("gtin", text(lemonade.as_str())),
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
    Ok(case)
}
