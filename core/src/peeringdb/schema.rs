//! The PeeringDB object types Peerdesk mirrors, as data: which fields of each
//! type are kept, of what kind, and which other types they point at. Sync and
//! store are written once against this table instead of once per type.

/// How a field is read from PeeringDB's JSON and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Integer, required (ids of parents).
    Id,
    /// Integer or null.
    Int,
    /// String; null becomes "".
    Text,
    /// String or null, kept as NULL (addresses).
    OptText,
    /// Boolean, stored 0/1; null is false.
    Bool,
    /// A list of strings, stored as JSON text.
    List,
}

pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
}

pub struct ObjectType {
    /// PeeringDB's name, used in URLs: `/api/<name>`.
    pub name: &'static str,
    pub fields: &'static [Field],
    /// (field, parent type): rows whose parent is missing are fetched by id or dropped.
    pub parents: &'static [(&'static str, &'static str)],
}

impl ObjectType {
    pub fn table(&self) -> String {
        format!("pdb_{}", self.name)
    }
}

const fn f(name: &'static str, kind: Kind) -> Field {
    Field { name, kind }
}

use Kind::*;

/// In dependency order: every type comes after the types it points at.
pub const TYPES: &[ObjectType] = &[
    ObjectType {
        name: "org",
        fields: &[
            f("name", Text),
            f("aka", Text),
            f("name_long", Text),
            f("website", Text),
            f("city", Text),
            f("country", Text),
        ],
        parents: &[],
    },
    ObjectType {
        name: "fac",
        fields: &[
            f("org_id", Id),
            f("name", Text),
            f("city", Text),
            f("country", Text),
            f("region_continent", Text),
        ],
        parents: &[("org_id", "org")],
    },
    ObjectType {
        name: "ix",
        fields: &[
            f("org_id", Id),
            f("name", Text),
            f("name_long", Text),
            f("city", Text),
            f("country", Text),
            f("region_continent", Text),
            f("tech_email", Text),
            f("policy_email", Text),
            f("website", Text),
        ],
        parents: &[("org_id", "org")],
    },
    ObjectType {
        name: "ixlan",
        fields: &[
            f("ix_id", Id),
            f("name", Text),
            f("mtu", Int),
            f("rs_asn", Int),
        ],
        parents: &[("ix_id", "ix")],
    },
    ObjectType {
        name: "ixpfx",
        fields: &[f("ixlan_id", Id), f("protocol", Text), f("prefix", Text)],
        parents: &[("ixlan_id", "ixlan")],
    },
    ObjectType {
        name: "ixfac",
        fields: &[f("ix_id", Id), f("fac_id", Id)],
        parents: &[("ix_id", "ix"), ("fac_id", "fac")],
    },
    ObjectType {
        name: "net",
        fields: &[
            f("org_id", Id),
            f("asn", Id),
            f("name", Text),
            f("aka", Text),
            f("irr_as_set", Text),
            f("info_prefixes4", Int),
            f("info_prefixes6", Int),
            f("info_type", Text),
            f("info_types", List),
            f("info_never_via_route_servers", Bool),
            f("policy_general", Text),
            f("policy_url", Text),
            f("policy_locations", Text),
            f("allow_ixp_update", Bool),
            f("website", Text),
            f("looking_glass", Text),
        ],
        parents: &[("org_id", "org")],
    },
    ObjectType {
        name: "netfac",
        fields: &[f("net_id", Id), f("fac_id", Id), f("local_asn", Int)],
        parents: &[("net_id", "net"), ("fac_id", "fac")],
    },
    ObjectType {
        name: "netixlan",
        fields: &[
            f("net_id", Id),
            f("ix_id", Id),
            f("ixlan_id", Id),
            f("asn", Id),
            f("ipaddr4", OptText),
            f("ipaddr6", OptText),
            f("speed", Int),
            f("is_rs_peer", Bool),
            f("operational", Bool),
        ],
        parents: &[("net_id", "net"), ("ixlan_id", "ixlan")],
    },
    ObjectType {
        name: "poc",
        fields: &[
            f("net_id", Id),
            f("role", Text),
            f("visible", Text),
            f("name", Text),
            f("email", Text),
            f("phone", Text),
        ],
        parents: &[("net_id", "net")],
    },
];

pub fn by_name(name: &str) -> Option<&'static ObjectType> {
    TYPES.iter().find(|t| t.name == name)
}
