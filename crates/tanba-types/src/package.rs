//! Package levels (R-IS-04): a consumer unit goes into a group package, group packages (or units)
//! into a transport package (SSCC), transport packages onto larger transport packages (a pallet of
//! boxes). The rule the engine enforces with this: a child's level is below its parent's, except
//! that transport packages may nest (GS1 logistic units are hierarchical).

use std::fmt;

/// A level of packaging.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PackageLevel {
    /// A consumer unit: GTIN + serial.
    Unit,
    /// A group package (a carton, a block of packs): its own GTIN + serial.
    Group,
    /// A transport package (box, pallet): an SSCC.
    Transport,
}

/// Deepest nesting of packages the engine accepts (unit in group in box in pallet in container,
/// with room to spare): a bound on every walk up or down the tree.
pub const PACKAGE_DEPTH_MAX: usize = 8;

impl PackageLevel {
    /// Every level, lowest first.
    pub const ALL: [PackageLevel; 3] = [
        PackageLevel::Unit,
        PackageLevel::Group,
        PackageLevel::Transport,
    ];

    /// Whether a package of this level may hold a child of `child` level.
    pub fn may_contain(self, child: PackageLevel) -> bool {
        match self {
            PackageLevel::Unit => false,
            PackageLevel::Group => child == PackageLevel::Unit,
            PackageLevel::Transport => true,
        }
    }
}

impl fmt::Display for PackageLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PackageLevel::Unit => "unit",
            PackageLevel::Group => "group",
            PackageLevel::Transport => "transport",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::PackageLevel::{Group, Transport, Unit};

    #[test]
    fn containment_by_level() {
        let allowed = [
            (Group, Unit),
            (Transport, Unit),
            (Transport, Group),
            (Transport, Transport),
        ];
        for parent in super::PackageLevel::ALL {
            for child in super::PackageLevel::ALL {
                assert_eq!(
                    parent.may_contain(child),
                    allowed.contains(&(parent, child)),
                    "{parent} holding {child}"
                );
            }
        }
    }
}
