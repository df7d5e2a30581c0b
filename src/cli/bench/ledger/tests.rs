use super::*;

/// Visitor 0 in conversation "c" sent `count` messages, each acked at seq n + 2 (seq 1 is the
/// warm-up).
fn visitor(count: u64) -> VisitorLog {
    let mut v = VisitorLog::new(0, 8);
    v.conversation = Some("c".into());
    for n in 0..count {
        let n = v.sent(n * 10);
        let id = format!("b0-{n}");
        assert_eq!(
            v.ack(Some("c"), Some(&id), Some(n as i64 + 2), true),
            Some(n * 10)
        );
    }
    v
}

/// Delivers to the visitor's echo and to one agent the seqs in `order` (each a measured message
/// n = seq - 2, seq 1 the warm-up).
fn deliver(v: &mut VisitorLog, agent: &mut AgentLog, order: &[i64]) {
    for &seq in order {
        let bench = (seq > 1).then(|| (0, (seq - 2) as u64));
        v.delivered("c", seq, bench);
        agent.delivered("c", seq, bench);
    }
}

#[test]
fn a_faithful_run_has_no_fault() {
    let mut v = visitor(3);
    let mut a = AgentLog::default();
    deliver(&mut v, &mut a, &[1, 2, 3, 4]);
    let d = check(&[v], &[a]);
    assert!(d.ok, "{d:?}");
    assert_eq!(
        (d.acked, d.agent.delivered, d.visitor_echo.delivered),
        (3, 3, 3)
    );
    assert!(d.faults().is_empty());
}

#[test]
fn a_missing_delivery_is_missing_and_a_gap() {
    let mut v = visitor(3);
    let mut a = AgentLog::default();
    v.delivered("c", 1, None);
    for seq in [2, 3, 4] {
        v.delivered("c", seq, Some((0, (seq - 2) as u64)));
    }
    for seq in [1, 2, 4] {
        a.delivered("c", seq, (seq > 1).then(|| (0, (seq - 2) as u64)));
    }
    let d = check(&[v], &[a]);
    assert!(!d.ok);
    assert_eq!(
        d.faults(),
        vec![("agent missing".into(), 1), ("agent seq_gaps".into(), 1)]
    );
}

#[test]
fn duplicates_and_reordering_are_named() {
    let mut v = visitor(3);
    let mut a = AgentLog::default();
    deliver(&mut v, &mut a, &[1, 2, 4, 3, 3]);
    let d = check(&[v], &[a]);
    assert_eq!(
        d.faults(),
        vec![
            ("agent duplicated".into(), 1),
            ("agent out_of_order".into(), 1),
            ("visitor_echo duplicated".into(), 1),
            ("visitor_echo out_of_order".into(), 1),
        ]
    );
}

#[test]
fn a_delivery_at_another_seq_than_its_ack_is_mismatched() {
    let mut v = visitor(1);
    let mut a = AgentLog::default();
    v.delivered("c", 2, Some((0, 0)));
    // The agent gets message 0 at seq 3 although its ack said 2.
    a.delivered("c", 2, None);
    a.delivered("c", 3, Some((0, 0)));
    let d = check(&[v], &[a]);
    assert_eq!(
        d.faults(),
        vec![("agent mismatched".into(), 1), ("agent missing".into(), 1)]
    );
}

#[test]
fn bad_acks_are_counted_and_end_the_wait() {
    let mut v = VisitorLog::new(0, 8);
    v.conversation = Some("c".into());
    for at in 0..5 {
        v.sent(at);
    }
    assert_eq!(v.ack(Some("c"), Some("b0-0"), None, true), None);
    assert_eq!(v.ack(None, Some("b0-1"), Some(3), true), None);
    assert_eq!(v.ack(Some("d"), Some("b0-2"), Some(4), true), None);
    assert_eq!(v.ack(Some("c"), Some("b0-4"), Some(6), false), Some(4));
    assert_eq!(v.ack(Some("c"), Some("b0-4"), Some(6), false), None);
    assert_eq!(v.ack(Some("c"), Some("b9-3"), Some(5), true), None);
    assert_eq!(v.ack(Some("c"), Some("b0-3"), Some(5), true), Some(3));
    assert_eq!(v.pending, 0, "every message was answered");
    assert_eq!((v.acked_in_phase, v.acked_after_phase), (1, 1));
    let d = check(&[v], &[]);
    assert_eq!(
        d.acks,
        AckFaults {
            unacked: 0,
            without_seq: 1,
            without_conversation: 1,
            other_conversation: 1,
            unknown: 1,
            duplicated: 1,
            out_of_order: 1,
        }
    );
    // Nobody received the two acked messages.
    assert_eq!((d.agent.missing, d.visitor_echo.missing), (2, 2));
}

#[test]
fn seqs_out_of_range_do_not_grow_the_ledger() {
    let mut s = Stream::default();
    assert_eq!(s.record(0, None), Seen::Invalid);
    assert_eq!(s.record(-4, None), Seen::Invalid);
    assert_eq!(s.record(i64::MAX, None), Seen::Invalid);
    assert_eq!(s.record(3, Some((1, 0))), Seen::New);
    assert_eq!(s.record(4, Some((2, 1))), Seen::Invalid, "another visitor");
    assert_eq!(s.record(3, None), Seen::Again);
    assert!(s.slots.len() <= 64);
    assert_eq!((s.invalid, s.duplicated, s.gaps()), (4, 1, 0));
}

/// The agent's connection got seqs 1 and 2, was lost, and resumed from 2: a live frame (5)
/// came before the replay (3, 4, 5), then `resumed` said 5, then live traffic (6).
fn resumed_agent(v: &mut VisitorLog) -> AgentLog {
    let mut a = AgentLog::default();
    deliver(v, &mut a, &[1, 2]);
    assert_eq!(a.reconnected(&[], false), vec![("c".to_string(), 2)]);
    for seq in [5, 3, 4, 5] {
        a.delivered("c", seq, Some((0, (seq - 2) as u64)));
    }
    a.resumed("c", 5);
    a.delivered("c", 6, Some((0, 4)));
    for seq in 3..=6 {
        v.delivered("c", seq, Some((0, (seq - 2) as u64)));
    }
    a
}

#[test]
fn what_a_resume_replays_is_not_a_duplicate_nor_out_of_order() {
    let mut v = visitor(5);
    let a = resumed_agent(&mut v);
    assert_eq!(a.replayed(), 1);
    let d = check(&[v], &[a]);
    assert!(d.ok, "{:?}", d.faults());
    assert_eq!(d.agent.delivered, 5);
}

#[test]
fn a_live_duplicate_after_a_resume_is_still_a_duplicate() {
    let mut v = visitor(5);
    let mut a = resumed_agent(&mut v);
    // Beyond what the replay reached, at or below where it began, and a third copy.
    a.delivered("c", 6, Some((0, 4)));
    a.delivered("c", 2, Some((0, 0)));
    a.delivered("c", 5, Some((0, 3)));
    // Another message at a replayed seq is no replay either.
    let mut b = resumed_agent(&mut visitor(5));
    b.delivered("c", 4, Some((0, 3)));
    assert_eq!((a.replayed(), b.replayed()), (1, 1));
    let d = check(&[v], &[a]);
    assert_eq!(d.faults(), vec![("agent duplicated".into(), 3)]);
    assert_eq!(check(&[visitor(5)], &[b]).agent.duplicated, 1);
}

#[test]
fn a_seq_no_replay_brought_is_missing_after_the_drain() {
    let mut v = visitor(4);
    let mut a = AgentLog::default();
    deliver(&mut v, &mut a, &[1, 2]);
    a.reconnected(&[], false);
    a.delivered("c", 4, Some((0, 2)));
    a.delivered("c", 5, Some((0, 3)));
    a.resumed("c", 5);
    for seq in 3..=5 {
        v.delivered("c", seq, Some((0, (seq - 2) as u64)));
    }
    let d = check(&[v], &[a]);
    assert_eq!(
        d.faults(),
        vec![("agent missing".into(), 1), ("agent seq_gaps".into(), 1)]
    );
}

#[test]
fn unacked_messages_are_sent_again_and_acked_once() {
    let mut v = VisitorLog::new(0, 8);
    v.conversation = Some("c".into());
    for at in [10, 20, 30] {
        v.sent(at);
    }
    assert_eq!(v.ack(Some("c"), Some("b0-0"), Some(2), true), Some(10));
    v.delivered("c", 2, Some((0, 0)));
    assert_eq!(v.reconnected(false), Some(("c", 2)));
    assert_eq!(v.unanswered(), vec![(1, 20), (2, 30)]);
    // The new connection's acks (the first a duplicate: stored before the loss).
    assert_eq!(v.ack(Some("c"), Some("b0-1"), Some(3), false), Some(20));
    assert_eq!(v.ack(Some("c"), Some("b0-2"), Some(4), false), Some(30));
    assert_eq!(v.ack(Some("c"), Some("b0-2"), Some(4), false), None);
    assert!(v.unanswered().is_empty());
    for seq in [3, 4] {
        v.delivered("c", seq, Some((0, (seq - 2) as u64)));
    }
    let d = check(&[v], &[]);
    assert_eq!(d.acked, 3);
    assert_eq!((d.acks.duplicated, d.acks.out_of_order), (1, 0));
}

#[test]
fn an_agent_resumes_its_own_conversations_and_those_it_received() {
    let mut a = AgentLog::default();
    // Someone else's, seen while it waited in the queue: not resumed.
    a.delivered("queued", 1, None);
    a.delivered("c", 1, None);
    a.delivered("c", 2, Some((0, 0)));
    let mut points = a.reconnected(&["mine".to_string()], false);
    points.sort();
    assert_eq!(points, vec![("c".to_string(), 2), ("mine".to_string(), 0)]);
}

#[test]
fn a_seq_the_live_path_skipped_is_a_fault_even_when_a_replay_brings_it() {
    for (missed, skipped) in [(false, 1), (true, 0)] {
        let mut v = visitor(4);
        let mut a = AgentLog::default();
        deliver(&mut v, &mut AgentLog::default(), &[1, 2, 3, 4, 5]);
        // Seq 3 never came live; 4 did. Then the connection was lost and resumed from 2.
        for seq in [1, 2, 4] {
            a.delivered("c", seq, (seq > 1).then(|| (0, (seq - 2) as u64)));
        }
        a.reconnected(&[], missed);
        for seq in [3, 4, 5] {
            a.delivered("c", seq, Some((0, (seq - 2) as u64)));
        }
        a.resumed("c", 5);
        let d = check(&[v], &[a]);
        assert_eq!(d.agent.skipped, skipped, "after a 4012: {missed}");
        assert_eq!((d.agent.out_of_order, d.agent.missing), (0, 0));
        assert_eq!(d.ok, skipped == 0, "{:?}", d.faults());
    }
}

#[test]
fn what_an_unfinished_replay_left_out_is_not_skipped() {
    let mut v = visitor(6);
    deliver(&mut v, &mut AgentLog::default(), &[1, 2, 3, 4, 5, 6, 7]);
    let mut a = AgentLog::default();
    for seq in [1, 2] {
        a.delivered("c", seq, (seq > 1).then(|| (0, (seq - 2) as u64)));
    }
    a.reconnected(&[], false);
    // Live 6 before the replay, which reached 3 only when this connection was lost too.
    for seq in [6, 3] {
        a.delivered("c", seq, Some((0, (seq - 2) as u64)));
    }
    assert_eq!(a.reconnected(&[], false), vec![("c".to_string(), 3)]);
    for seq in [4, 5, 6, 7] {
        a.delivered("c", seq, Some((0, (seq - 2) as u64)));
    }
    a.resumed("c", 7);
    let d = check(&[v], &[a]);
    assert!(d.ok, "{:?}", d.faults());
}
