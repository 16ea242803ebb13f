import TillStore

/// Invariants 3, 5 and 10: each order, wallet and drawer session adds up, by its own rows and
/// events, and every installment and refund has its one line in the drawer's journal.
extension SimChecker {
    // MARK: 3: orders

    mutating func checkOrder(id: String, ledger: LedgerInspection.Snapshot) throws -> SimViolation? {
        guard let order = try ledger.order(id: id) else { return nil }
        count(.orders)
        let (total, paid, refunded) = (order.total, order.paid, order.refunded)
        let figures = "total \(total), paid \(paid), refunded \(refunded); installments sum to \(order.installments), their refunds to \(order.installmentRefunds), refund rows to \(order.refundRows)"
        if paid > total || paid != order.installments || refunded > paid || refunded != order.installmentRefunds || refunded != order.refundRows {
            return SimViolation(invariant: .orders, detail: "order \(id): \(figures)")
        }
        // A card installment is its gateway payment, captured in full, and refunded alike (but
        // for what was given back as store credit instead).
        for installment in try ledger.cardInstallments(orderId: id) {
            let payment = installment.payment, captured = installment.captured, paymentRefunded = installment.refunded
            if payment == nil || captured != installment.amount || paymentRefunded != installment.refundedToCard {
                return SimViolation(
                    invariant: .orders,
                    detail: "order \(id): card installment \(installment.id) of \(installment.amount), refunded to the card \(installment.refundedToCard), has gateway payment \(payment ?? "none") captured \(captured.map(String.init) ?? "-"), refunded \(paymentRefunded.map(String.init) ?? "-")")
            }
        }
        return try checkJournal(orderId: id, ledger: ledger)
    }

    // MARK: 10: the drawer

    /// Every installment and refund of the order has exactly one line in the drawer's journal,
    /// of its amount, tender (a refund's: where the money went) and, for cash, change: no cash
    /// movement lost or counted twice.
    mutating func checkJournal(orderId: String, ledger: LedgerInspection.Snapshot) throws -> SimViolation? {
        count(.drawer)
        guard let mismatch = try ledger.journalMismatch(orderId: orderId) else { return nil }
        return SimViolation(
            invariant: .drawer,
            detail: "order \(orderId): \(mismatch.kind) \(mismatch.reference) of \(mismatch.amount) has \(mismatch.lines) journal lines for \(mismatch.journalled), or another tender or change")
    }

    /// A session's expected cash, three ways: folded by the core from its journal, summed by
    /// SQL from its lines, and as the read model keeps it.
    mutating func checkDrawerSession(id: String, ledger: LedgerInspection.Snapshot) throws -> SimViolation? {
        count(.drawer)
        let expected = try ledger.drawerExpected(sessionId: id)
        let open = try ledger.mostOpenDrawerSessions()
        guard let stored = expected.stored, stored == expected.summed, stored == expected.folded, open <= 1 else {
            func shown(_ figure: Int64?) -> String { figure.map(String.init) ?? "none" }
            return SimViolation(
                invariant: .drawer,
                detail: "drawer session \(id): expected \(shown(expected.stored)) stored, \(shown(expected.summed)) summed, \(shown(expected.folded)) folded; \(open) open in one currency")
        }
        return nil
    }

    // MARK: 5: wallets

    mutating func checkWallet(key: String, ledger: LedgerInspection.Snapshot) throws -> SimViolation? {
        guard let wallet = try ledger.wallet(key: key) else { return nil }
        count(.wallets)
        var running: Int64 = 0
        for event in try ledger.walletEvents(key: key) {
            switch event.kind {
            case "opened": running = event.amount
            case "credited": running += event.amount
            case "debited": running -= event.amount
            default:
                return SimViolation(invariant: .wallets, detail: "wallet \(key): unknown event kind \(event.kind)")
            }
            if event.balanceAfter != running {
                return SimViolation(
                    invariant: .wallets,
                    detail: "wallet \(key): event \(event.seq) (\(event.kind) \(event.amount)) says balance \(event.balanceAfter), the events sum to \(running)")
            }
        }
        if wallet.balance != running || wallet.balance < -wallet.overdraftLimit {
            return SimViolation(
                invariant: .wallets,
                detail: "wallet \(key): balance \(wallet.balance), overdraft limit \(wallet.overdraftLimit), events sum to \(running)")
        }
        return nil
    }
}
