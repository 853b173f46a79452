//! What the state's registers say, kept in the log (clause 2, R-IS-16), one test per rule: only
//! the system refreshes a register; a ceased entrepreneur is suspended in the same group and
//! reinstated when the register says active again, never lifting the operator's own
//! suspension; a ceased IIN/BIN cannot be registered; a revocation list never goes back in
//! time; a certificate stands only against a current list that does not name it; a list cut
//! between parts is not recorded as known; replay gives the same state.

mod support;

use support::{START_MS, World, code_of, participant, taxpayer};
use tanba_engine::registers::{self, CertificateStanding};
use tanba_store::Store;
use tanba_types::{
    Command, Event, ParticipantStatus, RegisterEntry, RegisterRefresh, RegistrationStatus,
    RevocationUpdate, Role, TaxpayerId,
};

const ISSUER: [u8; 32] = [7; 32];
const DAY_MS: u64 = 86_400_000;

fn entrepreneurs(changes: &[(TaxpayerId, RegistrationStatus)]) -> Command {
    Command::RefreshRegister(RegisterRefresh::Entrepreneurs {
        answer_digest: [1; 32],
        entries_total: changes.len() as u64,
        changes: changes
            .iter()
            .map(|(id, status)| RegisterEntry {
                id: *id,
                name: format!("IE {id}"),
                status: *status,
            })
            .collect(),
        last_part: true,
    })
}

fn revocations(this_update_ms: u64, added: &[u8], removed: &[u8], last_part: bool) -> Command {
    Command::RefreshRegister(RegisterRefresh::Revocations(RevocationUpdate {
        issuer: ISSUER,
        issuer_name: "CN=Test NCA".into(),
        this_update_ms,
        next_update_ms: Some(this_update_ms + DAY_MS),
        list_digest: [(this_update_ms / 1000) as u8 | 1; 32],
        added: added.iter().map(|serial| vec![*serial]).collect(),
        removed: removed.iter().map(|serial| vec![*serial]).collect(),
        last_part,
    }))
}

fn status(world: &World, id: TaxpayerId) -> ParticipantStatus {
    tanba_engine::query::participant(world.store.snapshot().as_ref(), &id)
        .unwrap()
        .unwrap()
        .status
}

fn standing(world: &World, serial: u8, now_ms: u64) -> CertificateStanding {
    registers::certificate_standing(world.store.snapshot().as_ref(), &ISSUER, &[serial], now_ms)
        .unwrap()
}

#[test]
fn clause_2_only_the_system_refreshes_a_register() {
    let mut world = World::new(1);
    let retailer = world.cast.retailer;
    let operator = world.cast.operator;
    for who in [retailer, operator] {
        let refused = world.by(
            who,
            entrepreneurs(&[(retailer, RegistrationStatus::Ceased)]),
        );
        assert_eq!(code_of(refused), "TANBA-ENGINE-SYSTEM-ONLY");
    }
    assert_eq!(status(&world, retailer), ParticipantStatus::Active);
}

#[test]
fn clause_2_a_ceased_entrepreneur_is_suspended_and_reinstated_with_the_register() {
    let mut world = World::new(2);
    let retailer = world.cast.retailer;
    let units = world.at_retailer(1);
    let receipt = world
        .system(entrepreneurs(&[(retailer, RegistrationStatus::Ceased)]))
        .unwrap();
    // The refresh and the suspension are one group.
    assert_eq!(receipt.last_sequence, receipt.first_sequence + 1);
    assert_eq!(
        status(&world, retailer),
        ParticipantStatus::RegistrationCeased
    );
    let refused = world.sell(retailer, units[0]);
    assert_eq!(refused, Err("TANBA-ENGINE-REGISTRATION-CEASED".to_owned()));
    // The operator edits the card as read (a new name): the reason stays, and the register
    // reinstates it.
    let mut card = participant(retailer, "Renamed", &[Role::Retailer]);
    card.status = ParticipantStatus::RegistrationCeased;
    let operator = world.cast.operator;
    world
        .by(operator, Command::UpdateParticipant(card))
        .unwrap();
    world
        .system(entrepreneurs(&[(retailer, RegistrationStatus::Active)]))
        .unwrap();
    assert_eq!(status(&world, retailer), ParticipantStatus::Active);
    // Ceased again, then the operator suspends it itself: the register no longer lifts it.
    world
        .system(entrepreneurs(&[(retailer, RegistrationStatus::Ceased)]))
        .unwrap();
    let mut card = participant(retailer, "Renamed", &[Role::Retailer]);
    card.status = ParticipantStatus::Suspended;
    world
        .by(operator, Command::UpdateParticipant(card))
        .unwrap();
    world
        .system(entrepreneurs(&[(retailer, RegistrationStatus::Active)]))
        .unwrap();
    assert_eq!(status(&world, retailer), ParticipantStatus::Suspended);
    world.assert_replay_equal();
}

#[test]
fn clause_2_the_register_never_lifts_the_operators_suspension() {
    let mut world = World::new(3);
    let wholesaler = world.cast.wholesaler;
    let mut card = participant(wholesaler, "Wholesaler", &[Role::Wholesaler]);
    card.status = ParticipantStatus::Suspended;
    world
        .by(world.cast.operator, Command::UpdateParticipant(card))
        .unwrap();
    for registered in [RegistrationStatus::Ceased, RegistrationStatus::Active] {
        let receipt = world
            .system(entrepreneurs(&[(wholesaler, registered)]))
            .unwrap();
        assert_eq!(
            receipt.last_sequence, receipt.first_sequence,
            "no participant event"
        );
        assert_eq!(status(&world, wholesaler), ParticipantStatus::Suspended);
    }
}

#[test]
fn clause_2_the_register_suspends_only_entrepreneurs_never_an_administrative_role() {
    let mut world = World::new(7);
    let operator = world.cast.operator;
    let ministry = world.cast.ministry;
    let receipt = world
        .system(entrepreneurs(&[
            (operator, RegistrationStatus::Ceased),
            (ministry, RegistrationStatus::Ceased),
        ]))
        .unwrap();
    assert_eq!(
        receipt.last_sequence, receipt.first_sequence,
        "nobody suspended"
    );
    assert_eq!(status(&world, operator), ParticipantStatus::Active);
    assert_eq!(status(&world, ministry), ParticipantStatus::Active);
}

#[test]
fn clause_2_a_ceased_iin_cannot_be_registered_and_malformed_refreshes_are_refused() {
    let mut world = World::new(4);
    let newcomer = taxpayer(901);
    world
        .system(entrepreneurs(&[(newcomer, RegistrationStatus::Ceased)]))
        .unwrap();
    let entry = registers::entry(world.store.snapshot().as_ref(), &newcomer).unwrap();
    assert_eq!(
        entry.map(|entry| entry.status),
        Some(RegistrationStatus::Ceased)
    );
    let registering = Command::RegisterParticipant(participant(newcomer, "New", &[Role::Retailer]));
    assert_eq!(
        code_of(world.by(world.cast.operator, registering)),
        "TANBA-ENGINE-REGISTRATION-CEASED"
    );
    let twice = entrepreneurs(&[
        (newcomer, RegistrationStatus::Active),
        (newcomer, RegistrationStatus::Ceased),
    ]);
    assert_eq!(code_of(world.system(twice)), "TANBA-ENGINE-INVALID");
    let too_many: Vec<(TaxpayerId, RegistrationStatus)> = (0..=10_000)
        .map(|n| (taxpayer(10_000 + n), RegistrationStatus::Active))
        .collect();
    assert_eq!(
        code_of(world.system(entrepreneurs(&too_many))),
        "TANBA-ENGINE-LIMIT-EXCEEDED"
    );
}

#[test]
fn r_is_16_a_certificate_stands_only_against_a_current_list_that_does_not_name_it() {
    let mut world = World::new(5);
    let now_ms = START_MS;
    assert_eq!(standing(&world, 9, now_ms), CertificateStanding::NoList);
    world
        .system(revocations(now_ms - 1_000, &[9, 10], &[], true))
        .unwrap();
    assert_eq!(standing(&world, 9, now_ms), CertificateStanding::Revoked);
    assert_eq!(standing(&world, 11, now_ms), CertificateStanding::Good);
    // Long past its next update, the list no longer answers.
    let late_ms = now_ms + DAY_MS + registers::REVOCATION_LIST_GRACE_MS + 1;
    assert_eq!(standing(&world, 11, late_ms), CertificateStanding::NoList);
    // A hold released: 10 is no longer listed.
    world.system(revocations(now_ms, &[], &[10], true)).unwrap();
    assert_eq!(standing(&world, 10, now_ms), CertificateStanding::Good);
    let issuers = registers::issuers(world.store.snapshot().as_ref()).unwrap();
    assert_eq!(issuers.len(), 1);
    assert_eq!(issuers[0].revoked_total, 1);
    // An older list is refused: a replay cannot un-revoke 9.
    let replayed = world.system(revocations(now_ms - 1_000, &[], &[9], true));
    assert_eq!(code_of(replayed), "TANBA-ENGINE-REGISTER-STALE");
    assert_eq!(standing(&world, 9, now_ms), CertificateStanding::Revoked);
    world.assert_replay_equal();
}

#[test]
fn r_is_16_a_list_cut_between_parts_is_not_recorded_as_known() {
    let mut world = World::new(6);
    let first = world
        .system(revocations(START_MS, &[1, 2], &[], false))
        .unwrap();
    let known = registers::issuers(world.store.snapshot().as_ref()).unwrap();
    assert_eq!(
        known[0].list_digest, [0; 32],
        "an unfinished list has no digest"
    );
    assert_eq!(known[0].revoked_total, 2);
    // A first list not yet whole checks nothing: 3 may be in a part still to come.
    assert_eq!(standing(&world, 3, START_MS), CertificateStanding::NoList);
    // The next refresh finishes it; a serial named again is not counted twice.
    world
        .system(revocations(START_MS, &[2, 3], &[], true))
        .unwrap();
    let known = registers::issuers(world.store.snapshot().as_ref()).unwrap();
    assert_eq!(known[0].list_digest, [(START_MS / 1000) as u8 | 1; 32]);
    assert_eq!(known[0].revoked_total, 3);
    assert_eq!(standing(&world, 3, START_MS), CertificateStanding::Revoked);
    assert_eq!(standing(&world, 4, START_MS), CertificateStanding::Good);
    // Another list of the same moment is a conflict, refused.
    let Command::RefreshRegister(RegisterRefresh::Revocations(mut other)) =
        revocations(START_MS, &[], &[3], true)
    else {
        unreachable!("a revocation refresh")
    };
    other.list_digest = [0xEE; 32];
    let conflicting = world.system(Command::RefreshRegister(RegisterRefresh::Revocations(
        other,
    )));
    assert_eq!(code_of(conflicting), "TANBA-ENGINE-REGISTER-STALE");
    let serials =
        registers::revoked_serials(world.store.snapshot().as_ref(), &ISSUER, None, 10).unwrap();
    assert_eq!(serials, vec![vec![1], vec![2], vec![3]]);
    let after =
        registers::revoked_serials(world.store.snapshot().as_ref(), &ISSUER, Some(&[1]), 10)
            .unwrap();
    assert_eq!(after, vec![vec![2], vec![3]]);
    // What the refresh learnt is in the log for every node.
    let record =
        tanba_engine::query::log_record(world.store.snapshot().as_ref(), first.first_sequence)
            .unwrap()
            .unwrap();
    assert!(matches!(
        record.event,
        Event::RegisterRefreshed(RegisterRefresh::Revocations(_))
    ));
    world.assert_replay_equal();
}
