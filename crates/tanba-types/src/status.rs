//! The life of a marking code (R-IS-03): its status, why it left circulation, whether an
//! authority blocks it, and the one table of which operation may change what. The engine asks
//! [`transition`] before every change to a code and refuses, with the typed [`Refusal`], whatever
//! the table does not allow. Ownership, packaging and documents are checked by the engine; this
//! table only knows statuses.
//!
//! `EMITTED -> APPLIED -> INTRODUCED -> WITHDRAWN`, with `BLOCKED` as an overlay set by an authority
//! or a recall (several may block at once). A blocked code cannot be packed, shipped, accepted or
//! sold; it can still be taken out of its package, returned by a consumer (staying blocked), and
//! destroyed, disposed of under a recall, or confiscated. Withdrawal is final except a retail sale,
//! which a retail return undoes. Codes never introduced may only be written off or destroyed.

use std::fmt;

/// Where a code is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CodeStatus {
    /// Issued to a producer or importer, not yet on goods.
    Emitted,
    /// Printed and applied to goods (reported by the producer or importer).
    Applied,
    /// In circulation in Kazakhstan: produced here, imported, or received from an EAEU state.
    Introduced,
    /// Out of circulation, for the reason given.
    Withdrawn(WithdrawalReason),
}

/// How goods entered circulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntroductionKind {
    /// Made in Kazakhstan.
    OwnProduction,
    /// Imported from outside the EAEU (with a customs declaration).
    Import,
    /// Received from another EAEU member state (cross-border trade, R-IS-12).
    EaeuReceipt,
}

/// Why a code left circulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawalReason {
    /// Sold to a consumer (fiscal receipt, R-IS-13). Undone by a retail return.
    RetailSale,
    /// Sold to another EAEU member state (cross-border trade, R-IS-12).
    ExportToEaeu,
    /// Exported outside the EAEU.
    ExportOutsideEaeu,
    /// Written off: lost, damaged, expired, used up.
    WriteOff,
    /// Destroyed.
    Destruction,
    /// Reprocessed, recycled, destroyed or taken out of the country under a recall (R-REC-03).
    RecallDisposal,
    /// Confiscated by an authority.
    Confiscation,
}

impl WithdrawalReason {
    /// Every reason.
    pub const ALL: [WithdrawalReason; 7] = [
        WithdrawalReason::RetailSale,
        WithdrawalReason::ExportToEaeu,
        WithdrawalReason::ExportOutsideEaeu,
        WithdrawalReason::WriteOff,
        WithdrawalReason::Destruction,
        WithdrawalReason::RecallDisposal,
        WithdrawalReason::Confiscation,
    ];

    /// Whether a blocked code may still leave circulation this way: a blocked code must be
    /// destroyed, disposed of or confiscated, never sold or exported.
    pub const fn allowed_while_blocked(self) -> bool {
        matches!(
            self,
            WithdrawalReason::Destruction
                | WithdrawalReason::RecallDisposal
                | WithdrawalReason::Confiscation
        )
    }

    /// Whether goods that were never introduced (applied at the factory, or not even applied) may
    /// leave this way: spoiled labels and goods are written off or destroyed before they circulate.
    pub const fn allowed_before_introduction(self) -> bool {
        matches!(
            self,
            WithdrawalReason::WriteOff | WithdrawalReason::Destruction
        )
    }
}

/// An operation on one code. Operations on a package apply to every code in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// The producer or importer reports the code printed and applied.
    ReportApplied,
    /// The goods enter circulation.
    Introduce(IntroductionKind),
    /// Put into a group or transport package (R-IS-04).
    Aggregate,
    /// Taken out of its package.
    Disaggregate,
    /// Listed in a shipment from seller to buyer (R-IS-10).
    Ship,
    /// The buyer accepts a shipment: ownership moves.
    Accept,
    /// Leaves circulation.
    Withdraw(WithdrawalReason),
    /// A consumer returns goods sold at retail: back in circulation, owned by the seller.
    RetailReturn,
    /// An authority or a recall blocks the code (one more block).
    Block,
    /// An authority lifts its block.
    Unblock,
}

/// A code's status together with whether any authority blocks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CodeState {
    /// The status.
    pub status: CodeStatus,
    /// At least one block is in force.
    pub blocked: bool,
}

/// Why an operation is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Refusal {
    /// The operation does not apply to a code in this status.
    #[error("not allowed for a code in status {status}")]
    WrongStatus {
        /// The code's status.
        status: CodeStatus,
    },
    /// The code is blocked: it cannot be sold or moved.
    #[error("the code is blocked")]
    Blocked,
    /// The code left circulation for good (only a retail sale can be undone).
    #[error("the code was withdrawn for good ({reason})")]
    WithdrawalFinal {
        /// Why it was withdrawn.
        reason: WithdrawalReason,
    },
    /// There is no block to lift.
    #[error("the code is not blocked")]
    NotBlocked,
}

impl Refusal {
    /// Every code a refusal can have.
    pub const ALL_CODES: &'static [&'static str] = &[
        "TANBA-CODE-WRONG-STATUS",
        "TANBA-CODE-BLOCKED",
        "TANBA-CODE-WITHDRAWAL-FINAL",
        "TANBA-CODE-NOT-BLOCKED",
    ];

    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::WrongStatus { .. } => "TANBA-CODE-WRONG-STATUS",
            Refusal::Blocked => "TANBA-CODE-BLOCKED",
            Refusal::WithdrawalFinal { .. } => "TANBA-CODE-WITHDRAWAL-FINAL",
            Refusal::NotBlocked => "TANBA-CODE-NOT-BLOCKED",
        }
    }
}

/// The transition table: the state after `operation`, or why it is refused. Every change to a
/// code's status or block goes through here; there is no other place that decides it.
pub fn transition(state: CodeState, operation: Operation) -> Result<CodeState, Refusal> {
    use CodeStatus::{Applied, Emitted, Introduced, Withdrawn};
    use Operation as Op;
    let CodeState { status, blocked } = state;
    let wrong_status = Refusal::WrongStatus { status };
    // Blocks are an overlay: they never change the status.
    match operation {
        Op::Block => {
            return Ok(CodeState {
                status,
                blocked: true,
            });
        }
        Op::Unblock if blocked => {
            return Ok(CodeState {
                status,
                blocked: false,
            });
        }
        Op::Unblock => return Err(Refusal::NotBlocked),
        _ => {}
    }
    let next = match (status, operation) {
        (Emitted, Op::ReportApplied) => Applied,
        (Applied, Op::Introduce(_)) => Introduced,
        (Applied | Introduced, Op::Aggregate | Op::Disaggregate) => status,
        (Introduced, Op::Ship | Op::Accept) => Introduced,
        (Introduced, Op::Withdraw(reason)) => Withdrawn(reason),
        (Emitted | Applied, Op::Withdraw(reason)) if reason.allowed_before_introduction() => {
            Withdrawn(reason)
        }
        (Withdrawn(WithdrawalReason::RetailSale), Op::RetailReturn) => Introduced,
        (Withdrawn(WithdrawalReason::RetailSale), _) => return Err(wrong_status),
        (Withdrawn(reason), _) => return Err(Refusal::WithdrawalFinal { reason }),
        _ => return Err(wrong_status),
    };
    // Blocked goods may be separated from their package, returned by a consumer (they stay
    // blocked, so cannot be sold again) and disposed of; never packed, shipped, accepted or sold.
    if blocked && !operation.allowed_while_blocked() {
        return Err(Refusal::Blocked);
    }
    Ok(CodeState {
        status: next,
        blocked,
    })
}

impl Operation {
    /// Whether a blocked code may still undergo this: be separated from its package, returned
    /// by a consumer (staying blocked), or destroyed, disposed of or confiscated.
    pub fn allowed_while_blocked(self) -> bool {
        match self {
            Operation::Withdraw(reason) => reason.allowed_while_blocked(),
            Operation::Disaggregate | Operation::RetailReturn => true,
            Operation::Block | Operation::Unblock => true,
            _ => false,
        }
    }

    /// Every operation, each withdrawal reason and introduction kind spelled out.
    pub fn all() -> Vec<Operation> {
        let mut all = vec![
            Operation::ReportApplied,
            Operation::Introduce(IntroductionKind::OwnProduction),
            Operation::Introduce(IntroductionKind::Import),
            Operation::Introduce(IntroductionKind::EaeuReceipt),
            Operation::Aggregate,
            Operation::Disaggregate,
            Operation::Ship,
            Operation::Accept,
            Operation::RetailReturn,
            Operation::Block,
            Operation::Unblock,
        ];
        all.extend(WithdrawalReason::ALL.map(Operation::Withdraw));
        all
    }
}

impl CodeStatus {
    /// Every status, each withdrawal reason spelled out.
    pub fn all() -> Vec<CodeStatus> {
        let mut all = vec![
            CodeStatus::Emitted,
            CodeStatus::Applied,
            CodeStatus::Introduced,
        ];
        all.extend(WithdrawalReason::ALL.map(CodeStatus::Withdrawn));
        all
    }
}

impl fmt::Display for CodeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeStatus::Emitted => f.write_str("EMITTED"),
            CodeStatus::Applied => f.write_str("APPLIED"),
            CodeStatus::Introduced => f.write_str("INTRODUCED"),
            CodeStatus::Withdrawn(reason) => write!(f, "WITHDRAWN ({reason})"),
        }
    }
}

impl fmt::Display for WithdrawalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WithdrawalReason::RetailSale => "retail sale",
            WithdrawalReason::ExportToEaeu => "sale to an EAEU state",
            WithdrawalReason::ExportOutsideEaeu => "export outside the EAEU",
            WithdrawalReason::WriteOff => "write-off",
            WithdrawalReason::Destruction => "destruction",
            WithdrawalReason::RecallDisposal => "recall disposal",
            WithdrawalReason::Confiscation => "confiscation",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{
        CodeStatus::{Applied, Emitted, Introduced, Withdrawn},
        IntroductionKind as Kind, Operation as Op, WithdrawalReason as Reason, *,
    };

    /// Every allowed (status, blocked, operation) -> status, written out by hand from the rules
    /// in the module docs, independently of `transition`'s match. Block and Unblock are checked
    /// separately.
    fn allowed() -> Vec<(CodeStatus, bool, Op, CodeStatus)> {
        let mut rows = vec![
            (Emitted, false, Op::ReportApplied, Applied),
            (
                Applied,
                false,
                Op::Introduce(Kind::OwnProduction),
                Introduced,
            ),
            (Applied, false, Op::Introduce(Kind::Import), Introduced),
            (Applied, false, Op::Introduce(Kind::EaeuReceipt), Introduced),
            (Applied, false, Op::Aggregate, Applied),
            (Introduced, false, Op::Aggregate, Introduced),
            (Applied, false, Op::Disaggregate, Applied),
            (Applied, true, Op::Disaggregate, Applied),
            (Introduced, false, Op::Disaggregate, Introduced),
            (Introduced, true, Op::Disaggregate, Introduced),
            (Introduced, false, Op::Ship, Introduced),
            (Introduced, false, Op::Accept, Introduced),
            (
                Withdrawn(Reason::RetailSale),
                false,
                Op::RetailReturn,
                Introduced,
            ),
            (
                Withdrawn(Reason::RetailSale),
                true,
                Op::RetailReturn,
                Introduced,
            ),
        ];
        for reason in Reason::ALL {
            rows.push((Introduced, false, Op::Withdraw(reason), Withdrawn(reason)));
        }
        for reason in [
            Reason::Destruction,
            Reason::RecallDisposal,
            Reason::Confiscation,
        ] {
            rows.push((Introduced, true, Op::Withdraw(reason), Withdrawn(reason)));
        }
        for from in [Emitted, Applied] {
            for reason in [Reason::WriteOff, Reason::Destruction] {
                rows.push((from, false, Op::Withdraw(reason), Withdrawn(reason)));
            }
            rows.push((
                from,
                true,
                Op::Withdraw(Reason::Destruction),
                Withdrawn(Reason::Destruction),
            ));
        }
        rows
    }

    #[test]
    fn every_allowed_row_gives_its_status_and_keeps_the_block() {
        for (status, blocked, operation, expected) in allowed() {
            let next =
                transition(CodeState { status, blocked }, operation).unwrap_or_else(|refusal| {
                    panic!("{status} blocked={blocked} {operation:?}: {refusal}")
                });
            assert_eq!(
                next,
                CodeState {
                    status: expected,
                    blocked
                },
                "{status} {operation:?}"
            );
        }
    }

    #[test]
    fn everything_not_in_the_table_is_refused_with_its_reason() {
        let allowed = allowed();
        let mut refused = 0;
        for status in CodeStatus::all() {
            for blocked in [false, true] {
                for operation in Op::all() {
                    if matches!(operation, Op::Block | Op::Unblock) {
                        continue;
                    }
                    let in_table = allowed
                        .iter()
                        .any(|row| row.0 == status && row.1 == blocked && row.2 == operation);
                    let result = transition(CodeState { status, blocked }, operation);
                    if in_table {
                        assert!(result.is_ok(), "{status} {blocked} {operation:?}");
                        continue;
                    }
                    refused += 1;
                    let refusal = result.expect_err(&format!("{status} {blocked} {operation:?}"));
                    // The reason names the real obstacle: a final withdrawal before a block, a
                    // block only where the status alone would allow the operation.
                    let status_allows = allowed
                        .iter()
                        .any(|row| row.0 == status && !row.1 && row.2 == operation);
                    let expected = match status {
                        Withdrawn(reason) if reason != Reason::RetailSale => {
                            Refusal::WithdrawalFinal { reason }
                        }
                        _ if blocked && status_allows => Refusal::Blocked,
                        _ => Refusal::WrongStatus { status },
                    };
                    assert_eq!(
                        refusal, expected,
                        "{status} blocked={blocked} {operation:?}"
                    );
                }
            }
        }
        assert!(
            refused > 150,
            "the table refuses most combinations ({refused})"
        );
    }

    #[test]
    fn blocks_are_an_overlay_on_every_status() {
        for status in CodeStatus::all() {
            let open = CodeState {
                status,
                blocked: false,
            };
            let blocked = transition(open, Op::Block).unwrap();
            assert_eq!(
                blocked,
                CodeState {
                    status,
                    blocked: true
                }
            );
            assert_eq!(
                transition(blocked, Op::Block).unwrap(),
                blocked,
                "several authorities"
            );
            assert_eq!(transition(blocked, Op::Unblock).unwrap(), open);
            assert_eq!(transition(open, Op::Unblock), Err(Refusal::NotBlocked));
        }
    }

    #[test]
    fn a_blocked_code_cannot_be_sold_but_can_be_destroyed() {
        let blocked = CodeState {
            status: Introduced,
            blocked: true,
        };
        assert_eq!(
            transition(blocked, Op::Withdraw(Reason::RetailSale)),
            Err(Refusal::Blocked)
        );
        assert_eq!(transition(blocked, Op::Ship), Err(Refusal::Blocked));
        let destroyed = transition(blocked, Op::Withdraw(Reason::RecallDisposal)).unwrap();
        assert_eq!(destroyed.status, Withdrawn(Reason::RecallDisposal));
    }

    #[test]
    fn refusal_codes_are_listed() {
        let samples = [
            Refusal::WrongStatus { status: Emitted },
            Refusal::Blocked,
            Refusal::WithdrawalFinal {
                reason: Reason::WriteOff,
            },
            Refusal::NotBlocked,
        ];
        for refusal in samples {
            assert!(Refusal::ALL_CODES.contains(&refusal.code()));
        }
        assert_eq!(samples.len(), Refusal::ALL_CODES.len());
    }
}
