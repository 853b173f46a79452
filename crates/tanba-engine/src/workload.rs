//! A small standing world and the bulk steps around it, for `tanba bench`, the criterion benches
//! and load tests: a producer, a wholesaler and a retailer, a full-tail and a short-tail product,
//! and helpers that order codes, bring them into circulation and deliver them. They go through
//! the engine's public commands like any caller; nothing here is a shortcut.

use std::collections::BTreeSet;
use std::time::Duration;

use tanba_types::limits::{COMMAND_CODES_MAX, DOCUMENT_ITEMS_MAX, PAGE_ENTRIES_MAX};
use tanba_types::{
    Actor, Category, CodeKey, Command, Date, DocumentId, Gtin, HsCode, Introduction, Names,
    OrderId, PackageLevel, Participant, ParticipantStatus, Product, Role, Sscc, TailProfile,
    TaxpayerId,
};

use crate::engine::Engine;
use crate::error::EngineError;
use crate::query;

/// The standing world.
#[derive(Debug, Clone, Copy)]
pub struct World {
    /// Makes both products.
    pub producer: TaxpayerId,
    /// Buys from the producer.
    pub wholesaler: TaxpayerId,
    /// Sells to consumers.
    pub retailer: TaxpayerId,
    /// Blocks codes.
    pub authority: TaxpayerId,
    /// A product whose codes carry full tails (AI 91/92).
    pub full_gtin: Gtin,
    /// A product whose codes carry 8-character short tails (AI 93).
    pub short_gtin: Gtin,
}

fn fixed<T, E: std::fmt::Debug>(parsed: Result<T, E>) -> T {
    parsed.expect("the world's fixed identifiers are valid")
}

impl World {
    /// The world, registered (as the system) if the engine's registry does not hold it yet.
    pub fn open_or_register(engine: &Engine) -> Result<World, EngineError> {
        let world = World::cast();
        if query::participant(engine.snapshot().as_ref(), &world.producer)?.is_some() {
            return Ok(world);
        }
        World::register(engine)
    }

    fn cast() -> World {
        World {
            producer: fixed(TaxpayerId::parse("990140000384")),
            wholesaler: fixed(TaxpayerId::parse("990240000398")),
            retailer: fixed(TaxpayerId::parse("990340000391")),
            authority: fixed(TaxpayerId::parse("990440000395")),
            full_gtin: fixed(Gtin::parse("04600000000015")),
            short_gtin: fixed(Gtin::parse("04600000000022")),
        }
    }

    /// Registers the world (as the system) in an engine whose registry does not hold it yet.
    pub fn register(engine: &Engine) -> Result<World, EngineError> {
        let world = World::cast();
        let names = |text: &str| Names {
            kk: text.into(),
            ru: text.into(),
            en: Some(text.into()),
        };
        let mut commands = Vec::new();
        for (id, role) in [
            (world.producer, Role::Producer),
            (world.wholesaler, Role::Wholesaler),
            (world.retailer, Role::Retailer),
            (world.authority, Role::Authority),
        ] {
            commands.push(Command::RegisterParticipant(Participant {
                id,
                name: format!("Workload {role}"),
                roles: BTreeSet::from([role]),
                keys: Vec::new(),
                status: ParticipantStatus::Active,
            }));
        }
        for (code, tail_profile) in [
            ("workload_full", TailProfile::Full),
            ("workload_short", TailProfile::Short { length_chars: 8 }),
        ] {
            commands.push(Command::DefineCategory(Category {
                code: code.into(),
                names: names(code),
                tail_profile,
                return_period_days: 14,
                control_list_code: None,
            }));
        }
        for (gtin, category) in [
            (world.full_gtin, "workload_full"),
            (world.short_gtin, "workload_short"),
        ] {
            commands.push(Command::RegisterProduct(Product {
                gtin,
                names: names("Workload product"),
                producer_name: "Workload".into(),
                producer: Some(world.producer),
                importer: None,
                country: "KZ".into(),
                hs_code: fixed(HsCode::parse("2202100000")),
                category: category.into(),
                level: PackageLevel::Unit,
                shelf_life_days: Some(365),
            }));
        }
        for command in commands {
            engine.execute(Actor::System, command)?;
        }
        Ok(world)
    }

    /// Registers `count` more short-tail products of the producer (`04600001xxxxx`, as the
    /// system) and returns their GTINs: for workloads that need an owner with many products.
    pub fn register_products(&self, engine: &Engine, count: u32) -> Result<Vec<Gtin>, EngineError> {
        let mut gtins = Vec::with_capacity(count as usize);
        for index in 0..count {
            let payload = format!("{:013}", 460_000_100_000 + u64::from(index));
            let check = tanba_gs1::check_digit::compute(&payload).expect("13 digits");
            let gtin = fixed(Gtin::parse(&format!("{payload}{check}")));
            let name = format!("Workload product {index}");
            engine.execute(
                Actor::System,
                Command::RegisterProduct(Product {
                    gtin,
                    names: Names {
                        kk: name.clone(),
                        ru: name.clone(),
                        en: Some(name),
                    },
                    producer_name: "Workload".into(),
                    producer: Some(self.producer),
                    importer: None,
                    country: "KZ".into(),
                    hs_code: fixed(HsCode::parse("2202100000")),
                    category: "workload_short".into(),
                    level: PackageLevel::Unit,
                    shelf_life_days: Some(365),
                }),
            )?;
            gtins.push(gtin);
        }
        Ok(gtins)
    }

    /// Orders `quantity` codes of `gtin` for the producer and waits until every one is issued
    /// and durable (or `timeout` passes: then [`EngineError::Busy`]; or the store refuses
    /// writes: then [`EngineError::StoreUnavailable`], at once).
    pub fn order(
        &self,
        engine: &Engine,
        gtin: Gtin,
        quantity: u32,
        timeout: Duration,
    ) -> Result<OrderId, EngineError> {
        let order = engine
            .execute(
                Actor::Participant(self.producer),
                Command::OrderCodes { gtin, quantity },
            )?
            .created
            .expect("an accepted order has an id");
        if !engine.wait_for_order(order, timeout)?.is_complete() {
            return Err(EngineError::Busy);
        }
        Ok(order)
    }

    /// Reports the producer's `codes` applied today and introduces them.
    pub fn bring_into_circulation(
        &self,
        engine: &Engine,
        codes: &[CodeKey],
        today: Date,
    ) -> Result<(), EngineError> {
        let producer = Actor::Participant(self.producer);
        for chunk in codes.chunks(COMMAND_CODES_MAX) {
            engine.execute(
                producer,
                Command::ReportApplied {
                    codes: chunk.to_vec(),
                    production_date: today,
                    expiry_date: None,
                    batch: None,
                },
            )?;
            engine.execute(
                producer,
                Command::Introduce {
                    codes: chunk.to_vec(),
                    introduction: Introduction::OwnProduction,
                },
            )?;
        }
        Ok(())
    }

    /// Packs the producer's `units` into `boxes` (an equal share each, the last taking what is
    /// left) and the boxes onto `pallet`.
    pub fn palletize(
        &self,
        engine: &Engine,
        pallet: CodeKey,
        boxes: &[CodeKey],
        units: &[CodeKey],
    ) -> Result<(), EngineError> {
        let producer = Actor::Participant(self.producer);
        let per_box = units.len().div_ceil(boxes.len().max(1)).max(1);
        for (box_code, content) in boxes.iter().zip(units.chunks(per_box)) {
            let children = content.to_vec();
            engine.execute(
                producer,
                Command::Aggregate {
                    parent: *box_code,
                    children,
                },
            )?;
        }
        let children = boxes.to_vec();
        engine.execute(
            producer,
            Command::Aggregate {
                parent: pallet,
                children,
            },
        )?;
        Ok(())
    }

    /// Ships the producer's `items` to `buyer`, who accepts them all.
    pub fn deliver(
        &self,
        engine: &Engine,
        buyer: TaxpayerId,
        items: &[CodeKey],
    ) -> Result<(), EngineError> {
        for chunk in items.chunks(DOCUMENT_ITEMS_MAX) {
            let document = ship(engine, self.producer, buyer, chunk.to_vec())?;
            accept(engine, buyer, document)?;
        }
        Ok(())
    }
}

/// `seller` ships `items` to `buyer` (a workload's signature: fixed bytes); the shipment's id.
pub fn ship(
    engine: &Engine,
    seller: TaxpayerId,
    buyer: TaxpayerId,
    items: Vec<CodeKey>,
) -> Result<DocumentId, EngineError> {
    let shipment = Command::Ship {
        buyer,
        items,
        signature: vec![1; 64],
    };
    let receipt = engine.execute(Actor::Participant(seller), shipment)?;
    Ok(receipt.created.expect("an accepted shipment has an id"))
}

/// `buyer` accepts everything on shipment `document`.
pub fn accept(engine: &Engine, buyer: TaxpayerId, document: DocumentId) -> Result<(), EngineError> {
    let acceptance = Command::Accept {
        document,
        items: None,
        signature: vec![2; 64],
    };
    engine.execute(Actor::Participant(buyer), acceptance)?;
    Ok(())
}

/// Every code of an order, in order.
pub fn order_codes(engine: &Engine, order: OrderId) -> Result<Vec<CodeKey>, EngineError> {
    let snapshot = engine.snapshot();
    let record =
        query::order_record(snapshot.as_ref(), order)?.ok_or(EngineError::UnknownOrder(order))?;
    let mut codes = Vec::with_capacity(record.issued as usize);
    while codes.len() < record.issued as usize {
        let page = query::order_codes(
            snapshot.as_ref(),
            order,
            codes.len() as u32,
            PAGE_ENTRIES_MAX,
        )?;
        if page.is_empty() {
            return Err(EngineError::Corrupt(format!(
                "order {order} lists fewer codes than it issued"
            )));
        }
        codes.extend(page.into_iter().map(|(code, _)| code));
    }
    Ok(codes)
}

/// The `n`th SSCC of the world's company prefix.
pub fn sscc(n: u64) -> CodeKey {
    let payload = format!("{:017}", 46_000_000_000_000_000 + n);
    let check = tanba_gs1::check_digit::compute(&payload).expect("17 digits");
    CodeKey::Sscc(fixed(Sscc::parse(&format!("{payload}{check}"))))
}
