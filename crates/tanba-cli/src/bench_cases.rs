//! `tanba bench`'s case workloads (issue 10):
//! - `recall`: a whole product's units, spread over a producer, a wholesaler and a retailer,
//!   recalled at once: how long until the block is durable (tills refuse from that commit),
//!   until a till's check says so, and until the census has every holder's exact count;
//! - `tick`: the writer's tick among many open cases of which few are due (a buyer's claims,
//!   each with a 10-day clock): the latency of a tick that fires the few, and of one that finds
//!   nothing.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::json;
use std::collections::BTreeSet;
use tanba_engine::workload::World;
use tanba_engine::{Clock, Engine, EngineError, Ticket, query};
use tanba_server::test_clock::TestClock;

use tanba_types::limits::OPEN_CASES_PER_PARTY_MAX;
use tanba_types::{
    Actor, CaseCommand, CodeKey, Command, FieldValue, Form, Participant, ParticipantStatus, Role,
    Scalar, ScannedCode, ScannedTail, TaxpayerId,
};

use crate::bench_command::{histogram, report};

/// How long the census of a recall may take before the run is called failed.
const CENSUS_TIMEOUT: Duration = Duration::from_secs(600);
/// Commands in flight while the tick workload opens its cases.
const OPEN_WINDOW: usize = 2_000;
/// Cases made due for each timed tick.
const DUE_CASES: usize = 10;
/// A day, in milliseconds.
const DAY_MS: u64 = 86_400_000;

fn text(value: &str) -> FieldValue {
    FieldValue::One(Scalar::Text(value.to_owned()))
}

fn form(fields: Vec<(&str, FieldValue)>) -> Form {
    fields
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

/// Publishes the working-day calendar's versions (2024-2026, then 2027) and the shipped reference
/// sets as the system.
pub fn publish_calendars_and_references(engine: &Engine) -> Result<()> {
    for toml in tanba_cases::calendar::SHIPPED_VERSIONS {
        let toml = (*toml).to_owned();
        engine.execute(Actor::System, Command::PublishCalendar { toml })?;
    }
    for toml in tanba_cases::reference::SHIPPED_SETS {
        let toml = (*toml).to_owned();
        engine.execute(Actor::System, Command::PublishReference { toml })?;
    }
    Ok(())
}

/// Opens a recall of the producer's; returns its case.
fn open_recall(engine: &Engine, world: &World, now_ms: u64) -> Result<u64> {
    let moment = FieldValue::One(Scalar::Moment(now_ms - 60_000));
    let ground = form(vec![
        ("ground_arose_at", moment.clone()),
        ("detected_at", moment),
        ("product_name", text("Bench product")),
        ("non_conformity", text("over the limit")),
    ]);
    let open = CaseCommand::Open {
        kind: "recall".into(),
        transition: "establish_ground".into(),
        authority: Some(world.authority),
        parent: None,
        named: Vec::new(),
        form: ground,
        attachments: Vec::new(),
        signature: vec![9; 64],
    };
    let receipt = engine.execute(Actor::Participant(world.producer), Command::Case(open))?;
    receipt.created.context("a case has an id")
}

/// The `recall` workload over `codes` (the producer's, in circulation); returns the case.
pub fn recall(engine: &Engine, world: &World, codes: &[CodeKey], now_ms: u64) -> Result<u64> {
    let (to_wholesaler, rest) = codes.split_at(codes.len() * 3 / 10);
    let (to_retailer, _) = rest.split_at(codes.len() / 5);
    world.deliver(engine, world.wholesaler, to_wholesaler)?;
    world.deliver(engine, world.retailer, to_retailer)?;
    let case = open_recall(engine, world, now_ms)?;
    let gtin = codes[0].gtin().context("units have a GTIN")?;
    let scope = form(vec![
        ("gtin", text(&gtin.to_string())),
        ("contacts", text("+7 727 000 00 00")),
        ("collection_points", text("Almaty")),
        ("responsible_persons", text("Quality director")),
    ]);
    let start = CaseCommand::Step {
        case,
        transition: "start_recall".into(),
        form: scope,
        attachments: Vec::new(),
        signature: vec![9; 64],
    };
    let started = Instant::now();
    engine.execute(Actor::Participant(world.producer), Command::Case(start))?;
    let blocked = started.elapsed();
    let scanned = ScannedCode {
        key: to_retailer[to_retailer.len() / 2],
        tail: ScannedTail::None,
    };
    let answer = engine.check_sale(Actor::Participant(world.retailer), &[scanned], now_ms)?;
    let refused = started.elapsed();
    if !matches!(answer.first(), Some(Err(EngineError::Recalled { .. }))) {
        bail!("a till's check of a recalled unit answered {answer:?}");
    }
    while !query::census_complete(engine.snapshot().as_ref(), case)? {
        if started.elapsed() > CENSUS_TIMEOUT {
            bail!(
                "the census of {} units took over {CENSUS_TIMEOUT:?}",
                codes.len()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let counted = started.elapsed();
    let holders = query::holders(engine.snapshot().as_ref(), case, None, 100)?;
    let units: u64 = holders.iter().map(|(_, counts)| counts.held).sum();
    if units != codes.len() as u64 {
        bail!("the census counted {units} units of {}", codes.len());
    }
    let ms = |elapsed: Duration| (elapsed.as_secs_f64() * 1e5).round() / 100.0;
    report(
        "recall",
        units,
        counted,
        None,
        json!({
            "holders": holders.len(),
            "block_durable_ms": ms(blocked),
            "till_refuses_ms": ms(refused),
            "census_complete_ms": ms(counted),
        }),
    );
    Ok(case)
}

/// A buyer's claim against the producer, within `parent`.
fn claim(world: &World, parent: u64) -> Command {
    Command::Case(CaseCommand::Open {
        kind: "recall_claim".into(),
        transition: "claim".into(),
        authority: Some(world.authority),
        parent: Some(parent),
        named: vec![world.producer],
        form: form(vec![("claim", text("It smells of tar"))]),
        attachments: Vec::new(),
        signature: vec![9; 64],
    })
}

/// Registers the buyers who file `count` claims: a party is of at most
/// [`OPEN_CASES_PER_PARTY_MAX`] open cases at once, so the claims are spread over enough buyers.
fn claimants(engine: &Engine, count: usize) -> Result<Vec<TaxpayerId>> {
    let needed = count.div_ceil(OPEN_CASES_PER_PARTY_MAX as usize);
    (0..needed as u64)
        .map(|n| {
            let id = crate::demo_seed::bin(99_070_000_000 + 100 * n);
            engine.execute(
                Actor::System,
                Command::RegisterParticipant(Participant {
                    id,
                    name: format!("Workload buyer {n}"),
                    roles: BTreeSet::from([Role::Retailer]),
                    keys: Vec::new(),
                    status: ParticipantStatus::Active,
                }),
            )?;
            Ok(id)
        })
        .collect()
}

/// Opens `count` claims by `buyers`, each buyer's up to its limit of open cases, many in flight
/// at once so that groups fill; `opened` counts the claims opened before.
fn open_claims(
    engine: &Engine,
    world: &World,
    parent: u64,
    buyers: &[TaxpayerId],
    opened: &mut usize,
    count: usize,
) -> Result<()> {
    let mut in_flight: Vec<Ticket> = Vec::with_capacity(OPEN_WINDOW);
    for _ in 0..count {
        let buyer = buyers[*opened / OPEN_CASES_PER_PARTY_MAX as usize];
        *opened += 1;
        in_flight.push(engine.submit(Actor::Participant(buyer), claim(world, parent))?);
        if in_flight.len() == OPEN_WINDOW {
            for ticket in in_flight.drain(..) {
                ticket.wait()?;
            }
        }
    }
    for ticket in in_flight {
        ticket.wait()?;
    }
    Ok(())
}

/// The `tick` workload: `open` claims not due, and ticks timed when [`DUE_CASES`] others are
/// due, then when none is.
pub fn tick(
    engine: &Engine,
    world: &World,
    clock: &TestClock,
    parent: u64,
    open: usize,
) -> Result<()> {
    // The few: opened first, so that after the clock moves 11 days every rung of theirs is due
    // while the many, opened 9 days in, are 2 days into their 10.
    let buyers = claimants(engine, DUE_CASES + open)?;
    let mut opened = 0;
    open_claims(engine, world, parent, &buyers, &mut opened, DUE_CASES)?;
    clock
        .advance(9 * DAY_MS)
        .context("a step the test clock takes")?;
    let started = Instant::now();
    open_claims(engine, world, parent, &buyers, &mut opened, open)?;
    let opened = started.elapsed();
    clock
        .advance(2 * DAY_MS)
        .context("a step the test clock takes")?;
    let mut latency = histogram();
    let started = Instant::now();
    // Stamped ahead of any tick the writer's own timer adds to the same group.
    let fired = engine
        .tick()
        .context("the writer's own timer fired the due cases first: run again")?;
    latency.record(started.elapsed().as_micros() as u64)?;
    let mut idle = histogram();
    for _ in 0..100 {
        let started = Instant::now();
        match engine.tick() {
            Err(EngineError::Invalid { .. }) => {}
            other => bail!("a tick with nothing due answered {other:?}"),
        }
        idle.record(started.elapsed().as_micros() as u64)?;
    }
    let ms = |micros: u64| micros as f64 / 1000.0;
    report(
        "tick",
        fired.last_sequence - fired.first_sequence + 1,
        Duration::from_micros(latency.max()),
        None,
        json!({
            "open_cases": open + DUE_CASES,
            "due_cases": DUE_CASES,
            "opening_seconds": (opened.as_secs_f64() * 1000.0).round() / 1000.0,
            "tick_with_due_ms": ms(latency.max()),
            "tick_with_none_due_ms_p50": ms(idle.value_at_quantile(0.5)),
            "tick_with_none_due_ms_max": ms(idle.max()),
            "now_ms": clock.now_ms(),
        }),
    );
    Ok(())
}
