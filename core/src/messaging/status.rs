//! The peering status of a peer and the one place that decides which actions
//! are open from each status and where they lead (guide step 5).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PeerStatus {
    /// Nothing decided yet: the first choices are open.
    New,
    /// Already peering (green check).
    Existing,
    /// Not someone we peer with (red icon).
    NotQualified,
    RequestSent,
    RequestReceived,
    Approved,
    Rejected,
}
crate::values::text_enum!(PeerStatus {
    New => "new", Existing => "existing", NotQualified => "not_qualified",
    RequestSent => "request_sent", RequestReceived => "request_received",
    Approved => "approved", Rejected => "rejected"
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PeerAction {
    MarkExisting,
    MarkNotQualified,
    SendRequest,
    ResendRequest,
    MarkRequestReceived,
    MarkApproved,
    MarkRejected,
    ResetStatus,
    ConfigureSessions,
}

pub const ALL_ACTIONS: [PeerAction; 9] = [
    PeerAction::MarkExisting,
    PeerAction::MarkNotQualified,
    PeerAction::SendRequest,
    PeerAction::ResendRequest,
    PeerAction::MarkRequestReceived,
    PeerAction::MarkApproved,
    PeerAction::MarkRejected,
    PeerAction::ResetStatus,
    PeerAction::ConfigureSessions,
];

impl PeerAction {
    /// The label the UI shows, in the guide's words.
    pub fn label(self) -> &'static str {
        match self {
            PeerAction::MarkExisting => "Mark Existing",
            PeerAction::MarkNotQualified => "Mark Not Qualified",
            PeerAction::SendRequest => "Send Request",
            PeerAction::ResendRequest => "Resend Request",
            PeerAction::MarkRequestReceived => "Mark Request Received",
            PeerAction::MarkApproved => "Mark Approved",
            PeerAction::MarkRejected => "Mark Rejected",
            PeerAction::ResetStatus => "Reset Status",
            PeerAction::ConfigureSessions => "Configure Sessions",
        }
    }
}

/// Where `action` leads from `status`; `None` when it is not open there.
/// Configure Sessions opens where it is offered but changes no status.
pub fn next(status: PeerStatus, action: PeerAction) -> Option<PeerStatus> {
    use PeerAction as A;
    use PeerStatus as S;
    match (status, action) {
        (S::New, A::MarkExisting) => Some(S::Existing),
        (S::New, A::MarkNotQualified) => Some(S::NotQualified),
        (S::New, A::SendRequest) => Some(S::RequestSent),
        (S::New | S::RequestSent, A::MarkRequestReceived) => Some(S::RequestReceived),
        (S::RequestSent | S::Rejected, A::ResendRequest) => Some(S::RequestSent),
        (S::RequestSent | S::RequestReceived, A::MarkApproved) => Some(S::Approved),
        (S::RequestSent | S::RequestReceived, A::MarkRejected) => Some(S::Rejected),
        (s, A::ResetStatus) if s != S::New => Some(S::New),
        (S::Existing | S::Approved, A::ConfigureSessions) => Some(status),
        _ => None,
    }
}

/// The actions open from `status`, in menu order.
pub fn actions(status: PeerStatus) -> Vec<PeerAction> {
    ALL_ACTIONS
        .into_iter()
        .filter(|a| next(status, *a).is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use PeerAction as A;
    use PeerStatus as S;

    const ALL_STATUSES: [S; 7] = [
        S::New,
        S::Existing,
        S::NotQualified,
        S::RequestSent,
        S::RequestReceived,
        S::Approved,
        S::Rejected,
    ];

    /// The whole table, written out: every (status, action) pair not listed is illegal.
    const LEGAL: &[(S, A, S)] = &[
        (S::New, A::MarkExisting, S::Existing),
        (S::New, A::MarkNotQualified, S::NotQualified),
        (S::New, A::SendRequest, S::RequestSent),
        (S::New, A::MarkRequestReceived, S::RequestReceived),
        (S::Existing, A::ResetStatus, S::New),
        (S::Existing, A::ConfigureSessions, S::Existing),
        (S::NotQualified, A::ResetStatus, S::New),
        (S::RequestSent, A::ResendRequest, S::RequestSent),
        (S::RequestSent, A::MarkRequestReceived, S::RequestReceived),
        (S::RequestSent, A::MarkApproved, S::Approved),
        (S::RequestSent, A::MarkRejected, S::Rejected),
        (S::RequestSent, A::ResetStatus, S::New),
        (S::RequestReceived, A::MarkApproved, S::Approved),
        (S::RequestReceived, A::MarkRejected, S::Rejected),
        (S::RequestReceived, A::ResetStatus, S::New),
        (S::Approved, A::ConfigureSessions, S::Approved),
        (S::Approved, A::ResetStatus, S::New),
        (S::Rejected, A::ResendRequest, S::RequestSent),
        (S::Rejected, A::ResetStatus, S::New),
    ];

    #[test]
    fn every_transition_is_exactly_the_documented_table() {
        for s in ALL_STATUSES {
            for a in ALL_ACTIONS {
                let expected = LEGAL
                    .iter()
                    .find(|(f, x, _)| *f == s && *x == a)
                    .map(|(_, _, t)| *t);
                assert_eq!(next(s, a), expected, "{s:?} + {a:?}");
            }
        }
    }

    #[test]
    fn marking_existing_removes_the_email_request_options() {
        let open = actions(S::Existing);
        assert!(!open.contains(&A::SendRequest) && !open.contains(&A::ResendRequest));
        assert_eq!(open, vec![A::ResetStatus, A::ConfigureSessions]);
    }

    #[test]
    fn reset_reopens_the_first_choices() {
        assert_eq!(
            actions(next(S::Rejected, A::ResetStatus).unwrap()),
            vec![
                A::MarkExisting,
                A::MarkNotQualified,
                A::SendRequest,
                A::MarkRequestReceived
            ]
        );
    }
}
