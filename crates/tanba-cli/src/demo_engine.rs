//! The engine part of `tanba demo`: the life of real codes in the embedded default, RocksDB in
//! `DIR/engine`. Each run adds to the same store: an order signed on every core, a pallet of two
//! boxes shipped and accepted, a box sold on to a shop, sales, a return, a block, refusals in
//! three languages, cards and a history, then the log proved from genesis and replayed.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tanba_crypto::KeyRing;
use tanba_engine::workload::{self, World};
use tanba_engine::{Clock, Engine, EngineConfig, SystemClock, query};
use tanba_store::{MemoryStore, RocksStore, Store};
use tanba_types::{Actor, CodeKey, Command, Date, Language, WithdrawalReason, localize};

use crate::output::say;

/// Codes the demo orders each run: two boxes of this many halves.
const DEMO_ORDER_CODES: u32 = 1_000;
/// How long the demo waits for its order.
const DEMO_ORDER_TIMEOUT: Duration = Duration::from_secs(120);

pub fn run(data: &Path, ring: KeyRing) -> anyhow::Result<()> {
    let directory = data.join("engine");
    let store: Arc<dyn Store> = Arc::new(
        RocksStore::open(&directory).with_context(|| format!("opening {}", directory.display()))?,
    );
    let public_keys = ring.public_key_set();
    let engine = Engine::start(
        store.clone(),
        Arc::new(ring),
        Arc::new(SystemClock),
        EngineConfig::default(),
    )?;
    say!(
        "\nThe engine (RocksDB in {}, log head {}):",
        directory.display(),
        engine.head().sequence
    );
    let story = tell(&engine);
    engine.shutdown();
    story?;

    let started = Instant::now();
    let proof = tanba_engine::verify_log(store.as_ref(), &public_keys, None)?;
    say!(
        "  log verified from genesis: {} events, {} signed checkpoints, head {} ({:.2} s)",
        proof.head,
        proof.checkpoints,
        proof.head_hash,
        started.elapsed().as_secs_f64()
    );
    let replayed = MemoryStore::new();
    tanba_engine::replay(store.as_ref(), &replayed)?;
    let difference = tanba_engine::first_state_difference(store.as_ref(), &replayed)?;
    anyhow::ensure!(difference.is_none(), "replay differs: {difference:?}");
    say!("  replayed from the log alone into memory: the same state, byte for byte");
    Ok(())
}

fn tell(engine: &Engine) -> anyhow::Result<()> {
    let world = World::open_or_register(engine)?;
    let today = Date::from_unix_ms_in_kz(SystemClock.now_ms());
    let started = Instant::now();
    let order = world.order(
        engine,
        world.full_gtin,
        DEMO_ORDER_CODES,
        DEMO_ORDER_TIMEOUT,
    )?;
    let units = workload::order_codes(engine, order)?;
    say!(
        "  ordered {} codes (order {order}): issued, signed and durable in {:.2} s",
        units.len(),
        started.elapsed().as_secs_f64()
    );
    world.bring_into_circulation(engine, &units, today)?;

    // Fresh SSCCs each run, numbered after the log head so runs never collide.
    let base = engine.head().sequence * 10;
    let (pallet, boxes) = (
        workload::sscc(base),
        [workload::sscc(base + 1), workload::sscc(base + 2)],
    );
    world.palletize(engine, pallet, &boxes, &units)?;
    world.deliver(engine, world.wholesaler, &[pallet])?;
    say!("  packed into two boxes on pallet {pallet}, shipped to the wholesaler and accepted");

    let wholesaler = Actor::Participant(world.wholesaler);
    engine.execute(
        wholesaler,
        Command::Disaggregate {
            codes: vec![boxes[1]],
        },
    )?;
    let document = engine
        .execute(
            wholesaler,
            Command::Ship {
                buyer: world.retailer,
                items: vec![boxes[1]],
                signature: vec![1; 64],
            },
        )?
        .created
        .context("a shipment has an id")?;
    let retailer = Actor::Participant(world.retailer);
    engine.execute(
        retailer,
        Command::Accept {
            document,
            items: None,
            signature: vec![2; 64],
        },
    )?;
    say!(
        "  the wholesaler took box {} off the pallet and sold it to the shop",
        boxes[1]
    );

    let in_shop = &units[units.len() / 2..];
    let sale = |code: CodeKey| Command::Withdraw {
        codes: vec![code],
        reason: WithdrawalReason::RetailSale,
        document: Some(format!("receipt-{code}")),
    };
    for code in &in_shop[..3] {
        engine.execute(retailer, sale(*code))?;
    }
    engine.execute(
        retailer,
        Command::RetailReturn {
            codes: vec![in_shop[2]],
            document: Some("return-1".into()),
        },
    )?;
    engine.execute(
        Actor::Participant(world.authority),
        Command::Block {
            codes: vec![in_shop[3]],
            reason: "laboratory check".into(),
        },
    )?;
    say!("  three sold at the till, one of them returned; an authority blocked a fourth");

    say!("\n  Refused, with the stable code and the message in each language:");
    for (what, command) in [
        ("selling the blocked unit", sale(in_shop[3])),
        ("selling a sold unit again", sale(in_shop[0])),
        (
            "the shop shipping what the wholesaler holds",
            Command::Ship {
                buyer: world.wholesaler,
                items: vec![pallet],
                signature: vec![3; 64],
            },
        ),
    ] {
        let error = engine
            .execute(retailer, command)
            .err()
            .context("the engine accepted what it must refuse")?;
        say!("    {what}: {}", error.code());
        for language in Language::ALL {
            say!("      [{language}] {}", localize(&error, language));
        }
    }

    let snapshot = engine.snapshot();
    say!("\n  Code cards:");
    for (what, code) in [
        ("sold", in_shop[0]),
        ("blocked", in_shop[3]),
        ("on the pallet", units[0]),
    ] {
        let card = query::code_card(snapshot.as_ref(), &code)?.context("the code exists")?;
        let name = card
            .product
            .as_ref()
            .map_or("", |product| product.names.ru.as_str());
        say!(
            "    {what:14} {code}  {}  owner {}  {name}, best before {}",
            card.status,
            card.owner,
            card.expiry_date
                .map_or_else(|| "-".to_owned(), |date| date.to_string())
        );
        for blocker in &card.blockers {
            say!(
                "{:20}blocked by {}: {}",
                "",
                blocker.authority,
                blocker.reason
            );
        }
        if !card.parents.is_empty() {
            let parents: Vec<String> = card.parents.iter().map(ToString::to_string).collect();
            say!("{:20}inside {}", "", parents.join(" in "));
        }
    }
    let history = query::history(snapshot.as_ref(), &units[0], 0, 100)?;
    let events: Vec<&str> = history.iter().map(|record| record.event.name()).collect();
    say!("  history of {}: {}", units[0], events.join(", "));
    Ok(())
}
