//! A small world for engine tests: a store, a key ring, a seeded RNG, the state machine, and
//! participants, categories and products registered, with helpers to drive codes through
//! their life. Every test binary includes this module; each uses part of it.
#![allow(dead_code)]

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tanba_crypto::KeyRing;
use tanba_engine::issue::prepare_chunk;
use tanba_engine::{Core, EngineError, Receipt, Stamped};
use tanba_store::{MemoryStore, Store};
use tanba_types::{
    Actor, Category, CodeKey, Command, Date, Gtin, HsCode, Introduction, Names, PackageLevel,
    Participant, ParticipantStatus, Product, Role, Sscc, TailProfile, TaxpayerId,
};

/// 2026-11-22T10:00:00+05:00.
pub const START_MS: u64 = 1_795_327_200_000;

/// The case definitions every test engine registers: the recall and its claims, the REX
/// verification, the permit and the certificates with their complaints.
pub fn cases() -> Arc<tanba_engine::Cases> {
    let definitions = [
        tanba_recall::definitions(),
        tanba_rex::definitions(),
        tanba_permit::definitions(),
        tanba_certificate::definitions(),
    ];
    Arc::new(tanba_engine::Cases::new(definitions.concat()))
}

/// A valid IIN/BIN built from `n` (the first 11 digits are `n`'s, the last a check digit);
/// numbers whose check digit cannot be assigned are skipped.
pub fn taxpayer(n: u64) -> TaxpayerId {
    (n..)
        .find_map(|candidate| {
            let payload = format!("{:011}", 40_000_000_000 + candidate % 10_000_000_000);
            let digits: [u8; 11] = payload
                .bytes()
                .map(|b| b - b'0')
                .collect::<Vec<_>>()
                .try_into()
                .unwrap();
            let check = tanba_types::kz::taxpayer_check_digit(&digits)?;
            TaxpayerId::parse(&format!("{payload}{check}")).ok()
        })
        .unwrap()
}

/// A valid GTIN-14 from a 13-digit payload number.
pub fn gtin(n: u64) -> Gtin {
    let payload = format!("{:013}", 4_600_000_000_000 + n);
    let check = tanba_gs1::check_digit::compute(&payload).unwrap();
    Gtin::parse(&format!("{payload}{check}")).unwrap()
}

/// A valid SSCC from a 17-digit payload number.
pub fn sscc(n: u64) -> CodeKey {
    let payload = format!("{:017}", 46_000_000_000_000_000 + n);
    let check = tanba_gs1::check_digit::compute(&payload).unwrap();
    CodeKey::Sscc(Sscc::parse(&format!("{payload}{check}")).unwrap())
}

pub fn names(text: &str) -> Names {
    Names {
        kk: format!("{text} (kk)"),
        ru: format!("{text} (ru)"),
        en: Some(text.to_owned()),
    }
}

/// The definition of a category named `code` (full tails, 14 days to return).
pub fn category(code: &str) -> Command {
    Command::DefineCategory(Category {
        code: code.into(),
        names: names(code),
        tail_profile: TailProfile::Full,
        return_period_days: 14,
        control_list_code: None,
    })
}

pub fn participant(id: TaxpayerId, name: &str, roles: &[Role]) -> Participant {
    Participant {
        id,
        name: name.to_owned(),
        roles: roles.iter().copied().collect::<BTreeSet<_>>(),
        keys: Vec::new(),
        status: ParticipantStatus::Active,
    }
}

/// Who is who in the world.
pub struct Cast {
    pub operator: TaxpayerId,
    pub producer: TaxpayerId,
    pub importer: TaxpayerId,
    pub wholesaler: TaxpayerId,
    pub retailer: TaxpayerId,
    pub authority: TaxpayerId,
    pub authority2: TaxpayerId,
    pub ministry: TaxpayerId,
    /// A unit GTIN of the producer (full tails, shelf life 365 days).
    pub unit: Gtin,
    /// A group-package GTIN of the producer (full tails).
    pub group: Gtin,
    /// A unit GTIN of the importer (short tails, no shelf life).
    pub imported: Gtin,
}

pub struct World {
    pub store: Arc<MemoryStore>,
    pub ring: Arc<KeyRing>,
    pub core: Core,
    pub rng: ChaCha20Rng,
    pub now_ms: u64,
    pub cast: Cast,
}

impl World {
    /// A fresh world over a memory store.
    pub fn new(seed: u64) -> World {
        World::over(Arc::new(MemoryStore::new()), seed)
    }

    /// A fresh world over `store`, with the cast registered.
    pub fn over(store: Arc<MemoryStore>, seed: u64) -> World {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let ring = Arc::new(KeyRing::generate(START_MS, &mut rng));
        let core = Core::open(
            store.clone() as Arc<dyn Store>,
            ring.clone(),
            cases(),
            1_000,
        )
        .unwrap();
        let cast = Cast {
            operator: taxpayer(1),
            producer: taxpayer(100),
            importer: taxpayer(200),
            wholesaler: taxpayer(300),
            retailer: taxpayer(400),
            authority: taxpayer(500),
            authority2: taxpayer(600),
            ministry: taxpayer(700),
            unit: gtin(1),
            group: gtin(2),
            imported: gtin(3),
        };
        let mut world = World {
            store,
            ring,
            core,
            rng,
            now_ms: START_MS,
            cast,
        };
        world.register_cast();
        world
    }

    fn register_cast(&mut self) {
        let c = &self.cast;
        let people = [
            (c.operator, "Tanba operator", vec![Role::Operator]),
            (c.producer, "Almaty Tobacco", vec![Role::Producer]),
            (c.importer, "Steppe Import", vec![Role::Importer]),
            (c.wholesaler, "Qazaq Wholesale", vec![Role::Wholesaler]),
            (c.retailer, "Corner Shop", vec![Role::Retailer]),
            (c.authority, "Sanitary Control", vec![Role::Authority]),
            (c.authority2, "Revenue Committee", vec![Role::Authority]),
            (c.ministry, "Ministry of Finance", vec![Role::Ministry]),
        ];
        for (id, name, roles) in people {
            self.system(Command::RegisterParticipant(participant(id, name, &roles)))
                .unwrap();
        }
        for (code, profile) in [
            ("tobacco", TailProfile::Full),
            ("water", TailProfile::Short { length_chars: 6 }),
        ] {
            self.system(Command::DefineCategory(Category {
                code: code.into(),
                names: names(code),
                tail_profile: profile,
                return_period_days: 14,
                control_list_code: None,
            }))
            .unwrap();
        }
        let producer = self.cast.producer;
        let importer = self.cast.importer;
        for (gtin, level, category, maker, by_importer) in [
            (
                self.cast.unit,
                PackageLevel::Unit,
                "tobacco",
                Some(producer),
                None,
            ),
            (
                self.cast.group,
                PackageLevel::Group,
                "tobacco",
                Some(producer),
                None,
            ),
            (
                self.cast.imported,
                PackageLevel::Unit,
                "water",
                None,
                Some(importer),
            ),
        ] {
            let product = Product {
                gtin,
                names: names("Product"),
                producer_name: "Maker".into(),
                producer: maker,
                importer: by_importer,
                country: if maker.is_some() {
                    "KZ".into()
                } else {
                    "TR".into()
                },
                hs_code: HsCode::parse("2402209000").unwrap(),
                category: category.into(),
                level,
                shelf_life_days: (category == "tobacco").then_some(365),
            };
            self.system(Command::RegisterProduct(product)).unwrap();
        }
    }

    /// Runs a command as `actor`, one millisecond after the last.
    pub fn run(&mut self, actor: Actor, command: Command) -> Result<Receipt, EngineError> {
        self.now_ms += 1;
        self.core.execute_one(Stamped {
            actor,
            time_ms: self.now_ms,
            command,
            place: None,
            note: None,
        })
    }

    /// Uploads `bytes` as `uploader` under upload id `upload`, as the server's door does: the
    /// blob in chunks, then the log's record of it. Its hash and size.
    pub fn upload(&mut self, uploader: TaxpayerId, upload: u64, bytes: &[u8]) -> ([u8; 32], u64) {
        let store: Arc<dyn Store> = self.store.clone();
        let mut blob = tanba_engine::blobs::BlobUpload::new(store, upload);
        for piece in bytes.chunks(100_000) {
            blob.write(piece).unwrap();
        }
        let (hash, size_bytes) = blob.finish().unwrap();
        let command = Command::RecordAttachment { hash, size_bytes };
        self.by(uploader, command).unwrap();
        (hash, size_bytes)
    }

    /// Runs a group of commands as one commit.
    pub fn run_group(
        &mut self,
        commands: Vec<(Actor, Command)>,
    ) -> Vec<Result<Receipt, EngineError>> {
        let mut queue: VecDeque<(Stamped, usize)> = commands
            .into_iter()
            .enumerate()
            .map(|(index, (actor, command))| {
                self.now_ms += 1;
                (
                    Stamped {
                        actor,
                        time_ms: self.now_ms,
                        command,
                        place: None,
                        note: None,
                    },
                    index,
                )
            })
            .collect();
        let mut outcomes = Vec::new();
        while !queue.is_empty() {
            outcomes.extend(self.core.execute(&mut queue));
        }
        outcomes.into_iter().map(|(_, outcome)| outcome).collect()
    }

    pub fn system(&mut self, command: Command) -> Result<Receipt, EngineError> {
        self.run(Actor::System, command)
    }

    pub fn by(&mut self, who: TaxpayerId, command: Command) -> Result<Receipt, EngineError> {
        self.run(Actor::Participant(who), command)
    }

    /// Units the retailer owns, in circulation.
    pub fn at_retailer(&mut self, count: u32) -> Vec<CodeKey> {
        let units = self.produce(self.cast.unit, count);
        let (producer, retailer) = (self.cast.producer, self.cast.retailer);
        let document = self.ship(producer, retailer, &units);
        self.accept_all(retailer, document);
        units
    }

    /// Records a sales receipt `receipt_id` as `actor`, one line per code (its bracketed text);
    /// returns, per line, `None` if sold or the code of why it was set aside.
    pub fn sell_as(
        &mut self,
        actor: Actor,
        receipt_id: &str,
        codes: &[CodeKey],
    ) -> Result<Vec<Option<String>>, EngineError> {
        let command = Command::RecordSale {
            receipt_id: receipt_id.to_owned(),
            printed_ms: self.now_ms,
            lines: codes
                .iter()
                .map(|code| tanba_types::SaleLine {
                    code: code.to_string(),
                    price_tiyn: 100,
                })
                .collect(),
        };
        let receipt = self.run(actor, command)?;
        Ok(self.refused_lines(receipt.last_sequence, codes.len()))
    }

    /// The lines a logged sale set aside: per line, `None` if sold or the refusal's code.
    pub fn refused_lines(&self, sequence: u64, lines: usize) -> Vec<Option<String>> {
        let record = tanba_engine::query::log_record(self.store.snapshot().as_ref(), sequence)
            .unwrap()
            .unwrap();
        let tanba_types::Event::Sold { refused, .. } = record.event else {
            panic!("a sale logs `Sold` last, not {:?}", record.event);
        };
        let mut outcome = vec![None; lines];
        for line in refused {
            outcome[line.line as usize] = Some(line.error.code);
        }
        outcome
    }

    /// Sells one code as `seller` on a receipt of its own: its id, or the code of why the
    /// receipt or its line was refused.
    pub fn sell(&mut self, seller: TaxpayerId, code: CodeKey) -> Result<String, String> {
        let receipt_id = format!("sale-{}", self.now_ms + 1);
        match self.sell_as(Actor::Participant(seller), &receipt_id, &[code]) {
            Ok(lines) => match lines.into_iter().next().flatten() {
                None => Ok(receipt_id),
                Some(refusal) => Err(refusal),
            },
            Err(error) => Err(error.code().to_owned()),
        }
    }

    /// Takes back codes sold on `sale_receipt_id`, on a return receipt of their own.
    pub fn take_back(
        &mut self,
        seller: TaxpayerId,
        sale_receipt_id: &str,
        codes: &[CodeKey],
    ) -> Result<Receipt, EngineError> {
        let receipt_id = format!("return-{}", self.now_ms + 1);
        self.by(
            seller,
            Command::RecordReturn {
                receipt_id,
                sale_receipt_id: sale_receipt_id.to_owned(),
                codes: codes.to_vec(),
            },
        )
    }

    /// Orders `quantity` codes of `gtin` as `orderer` and issues them all; returns the codes.
    pub fn emit(&mut self, orderer: TaxpayerId, gtin: Gtin, quantity: u32) -> Vec<CodeKey> {
        let receipt = self
            .by(orderer, Command::OrderCodes { gtin, quantity })
            .unwrap();
        let order = receipt.created.unwrap();
        let snapshot = self.store.snapshot();
        let record = tanba_engine::query::order(snapshot.as_ref(), order)
            .unwrap()
            .unwrap();
        drop(snapshot);
        let mut codes = Vec::new();
        let mut left = quantity as usize;
        while left > 0 {
            let count = left.min(tanba_types::limits::ISSUE_CHUNK_CODES_MAX);
            let chunk = prepare_chunk(
                &self.ring,
                gtin,
                record.tail_profile,
                count,
                &mut self.rng,
                1,
            )
            .unwrap();
            codes.extend(chunk.iter().map(|code| CodeKey::item(gtin, code.serial)));
            self.system(Command::IssueCodes {
                order,
                codes: chunk,
            })
            .unwrap();
            left -= count;
        }
        codes
    }

    /// Emits, reports applied and introduces `quantity` units of the producer.
    pub fn produce(&mut self, gtin: Gtin, quantity: u32) -> Vec<CodeKey> {
        self.produce_in_batch(gtin, quantity, "B-1")
    }

    /// [`World::produce`], in batch `batch`.
    pub fn produce_in_batch(&mut self, gtin: Gtin, quantity: u32, batch: &str) -> Vec<CodeKey> {
        let producer = self.cast.producer;
        let codes = self.emit(producer, gtin, quantity);
        self.apply_codes_in_batch(producer, &codes, batch);
        self.by(
            producer,
            Command::Introduce {
                codes: codes.clone(),
                introduction: Introduction::OwnProduction,
            },
        )
        .unwrap();
        codes
    }

    /// Reports codes applied, made today.
    pub fn apply_codes(&mut self, owner: TaxpayerId, codes: &[CodeKey]) {
        self.apply_codes_in_batch(owner, codes, "B-1");
    }

    /// Reports codes applied, made today in batch `batch`.
    pub fn apply_codes_in_batch(&mut self, owner: TaxpayerId, codes: &[CodeKey], batch: &str) {
        self.by(
            owner,
            Command::ReportApplied {
                codes: codes.to_vec(),
                production_date: self.today(),
                expiry_date: None,
                batch: Some(batch.into()),
            },
        )
        .unwrap();
    }

    pub fn today(&self) -> Date {
        Date::from_unix_ms_in_kz(self.now_ms)
    }

    /// Ships `items` from `seller` to `buyer` and returns the document id.
    pub fn ship(&mut self, seller: TaxpayerId, buyer: TaxpayerId, items: &[CodeKey]) -> u64 {
        self.by(
            seller,
            Command::Ship {
                buyer,
                items: items.to_vec(),
                signature: vec![7; 64],
            },
        )
        .unwrap()
        .created
        .unwrap()
    }

    /// Packs `children` into `parent` as `owner`.
    pub fn pack(&mut self, owner: TaxpayerId, parent: CodeKey, children: Vec<CodeKey>) {
        self.by(owner, Command::Aggregate { parent, children })
            .unwrap();
    }

    /// The buyer accepts a whole shipment.
    pub fn accept_all(&mut self, buyer: TaxpayerId, document: u64) {
        let accept = Command::Accept {
            document,
            items: None,
            signature: vec![1; 64],
        };
        self.by(buyer, accept).unwrap();
    }

    pub fn card(&self, code: &CodeKey) -> tanba_engine::query::CodeCard {
        tanba_engine::query::code_card(self.store.snapshot().as_ref(), code)
            .unwrap()
            .unwrap()
    }

    /// Replays the log into a fresh store and asserts the state is the same, byte for byte, and
    /// that the chain verifies. Twice: into memory in one load, and into RocksDB in many small
    /// loads of sorted table files, so that events read what earlier loads put into the store.
    pub fn assert_replay_equal(&self) {
        let fresh = MemoryStore::new();
        tanba_engine::replay(self.store.as_ref(), &fresh).unwrap();
        let difference = tanba_engine::first_state_difference(self.store.as_ref(), &fresh).unwrap();
        assert_eq!(difference, None, "replayed state differs");
        let directory = tempfile::tempdir().unwrap();
        let loaded = tanba_store::RocksStore::open(directory.path()).unwrap();
        tanba_engine::log::replay_in_loads(self.store.as_ref(), &loaded, REPLAY_LOAD_OPERATIONS)
            .unwrap();
        let difference =
            tanba_engine::first_state_difference(self.store.as_ref(), &loaded).unwrap();
        assert_eq!(difference, None, "state replayed in loads differs");
        tanba_engine::verify_log(self.store.as_ref(), &self.ring.public_key_set(), None).unwrap();
    }
}

/// Changed keys per load when a test replays in many loads.
const REPLAY_LOAD_OPERATIONS: usize = 64;

/// Reads an engine error code, for asserting on refusals.
pub fn code_of<T: std::fmt::Debug>(result: Result<T, EngineError>) -> &'static str {
    result.expect_err("the command should be refused").code()
}
