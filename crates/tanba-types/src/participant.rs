//! Participants in the circulation of marked goods (R-IS-09) and what they may be: the roles
//! authorization is decided by. A participant is identified by its IIN/BIN ([`TaxpayerId`]).
//!
//! [`TaxpayerId`]: crate::kz::TaxpayerId

use std::fmt;

/// A role a registered participant holds; one participant may hold several.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Makes goods in Kazakhstan: orders codes, applies them, aggregates, introduces.
    Producer,
    /// Brings goods in: orders codes, applies them (or has them applied abroad), introduces.
    Importer,
    /// Buys and sells on: accepts shipments, re-aggregates, ships.
    Wholesaler,
    /// Sells to consumers: checks codes at the till, sells, takes returns.
    Retailer,
    /// Fiscal data operator: forwards cash-register receipts (R-IS-13).
    FiscalDataOperator,
    /// A supervising authority: blocks codes, runs recall and other cases.
    Authority,
    /// A ministry: reads feeds for tax and customs (R-IS-05, R-IS-06).
    Ministry,
    /// Runs Tanba: participants, keys, reference data.
    Operator,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 8] = [
        Role::Producer,
        Role::Importer,
        Role::Wholesaler,
        Role::Retailer,
        Role::FiscalDataOperator,
        Role::Authority,
        Role::Ministry,
        Role::Operator,
    ];

    /// Whether the role puts marked goods on the market (and so may order codes).
    pub fn orders_codes(self) -> bool {
        matches!(self, Role::Producer | Role::Importer)
    }

    /// Whether the role holds goods (and so may own codes, ship and accept).
    pub fn holds_goods(self) -> bool {
        matches!(
            self,
            Role::Producer | Role::Importer | Role::Wholesaler | Role::Retailer
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Producer => "producer",
            Role::Importer => "importer",
            Role::Wholesaler => "wholesaler",
            Role::Retailer => "retailer",
            Role::FiscalDataOperator => "fiscal_data_operator",
            Role::Authority => "authority",
            Role::Ministry => "ministry",
            Role::Operator => "operator",
        })
    }
}

/// Whether a participant may act (R-IS-09): a suspended participant is refused everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantStatus {
    /// May act within its roles.
    Active,
    /// Refused every operation until reinstated.
    Suspended,
    /// Suspended because the register of entrepreneurs says its registration ceased; reinstated
    /// when the register says it is active again (or by the operator).
    RegistrationCeased,
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn only_producers_and_importers_order_codes() {
        let ordering: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|role| role.orders_codes())
            .collect();
        assert_eq!(ordering, [Role::Producer, Role::Importer]);
        let holding: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|role| role.holds_goods())
            .collect();
        assert_eq!(
            holding,
            [
                Role::Producer,
                Role::Importer,
                Role::Wholesaler,
                Role::Retailer
            ]
        );
    }

    #[test]
    fn serde_names_are_stable() {
        let json = serde_json::to_string(&Role::FiscalDataOperator).unwrap();
        assert_eq!(json, "\"fiscal_data_operator\"");
        for role in Role::ALL {
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{role}\""));
        }
    }
}
