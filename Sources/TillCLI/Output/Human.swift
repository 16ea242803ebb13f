import TillCore
import TillService
import TillUI
import Foundation

/// The human face: short, aligned summaries with money formatted per currency.
enum Human {
    static func time(_ iso: String) -> String {
        // "2026-11-22T10:00:00.000Z" -> "2026-11-22 10:00"
        String(iso.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    static func order(_ order: OrderView) -> String {
        var lines = [
            "Order \(order.id)  \(order.email)  \(Format.state(order.status))",
            "  total \(Format.money(order.total, order.currency))   paid \(Format.money(order.paid, order.currency))"
                + "   due \(Format.money(order.balanceDue, order.currency))   refunded \(Format.money(order.refunded, order.currency))",
            "  created \(time(order.createdAt))",
        ]
        if order.payments.isEmpty && order.pending == nil { lines.append("  no payments yet") }
        for payment in order.payments { lines.append("  " + installmentLine(payment, currency: order.currency)) }
        for request in order.pending ?? [] { lines.append("  " + pendingLine(request)) }
        if let due = order.dueAfterPending {
            lines.append("  due once the pending requests go through: \(Format.money(due, order.currency))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One pending request: what, how much, on which card, since when, and in what state.
    static func pendingLine(_ request: PendingRequestView) -> String {
        var what = request.operation
        if let card = request.card { what += "  \(card.brand.rawValue) \(card.first6)…\(card.last4)" }
        let state = request.needsAttention ? "NEEDS ATTENTION: \(request.attention ?? "")"
            : request.inProgress ? "pending (a till is asking GoblinPay)" : "pending (outcome unknown)"
        return "\(Format.money(request.amount, request.currency))  \(what)  since \(time(request.since))  key \(request.key)  \(state)"
    }

    static func pending(_ requests: [PendingRequestView], resolved: PendingCommand.Resolved?) -> String {
        var lines: [String] = []
        if let resolved {
            lines.append("Resolved with GoblinPay: \(resolved.recorded) recorded, \(resolved.released) released, \(resolved.open) still open.")
        }
        lines.append(requests.isEmpty ? "Nothing is pending." : "\(requests.count) pending, oldest first:")
        lines += requests.map { "  \($0.target)  " + pendingLine($0) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func installmentLine(_ payment: OrderPaymentView, currency: String) -> String {
        var tender = Format.state(payment.tender)
        if let card = payment.card { tender = "\(card.brand.rawValue) \(card.first6)…\(card.last4)" }
        if let wallet = payment.wallet { tender = "store credit (\(wallet))" }
        if let tendered = payment.tendered, let change = payment.change {
            tender = "cash \(Format.money(tendered, currency)), change \(Format.money(change, currency))"
        }
        var line = "\(payment.id)  \(time(payment.createdAt))  \(Format.money(payment.amount, currency))  \(tender)  \(Format.state(payment.state))"
        if payment.refunded > 0 { line += " (\(Format.money(payment.refunded, currency)) refunded)" }
        return line
    }

    static func orderList(_ list: OrderListView) -> String {
        guard !list.orders.isEmpty else { return "No orders for \(list.email).\n" }
        let lines = list.orders.map { order in
            "\(order.id)  \(time(order.createdAt))  \(Format.money(order.total, order.currency))  due \(Format.money(order.balanceDue, order.currency))  \(Format.state(order.status))"
        }
        return "\(list.orders.count) order(s) for \(list.email), newest first\n" + lines.joined(separator: "\n") + "\n"
    }

    static func installment(_ keyed: Keyed<OrderPaymentResult>) -> String {
        let result = keyed.response
        var text = (keyed.replayed ? "Replayed (key \(keyed.key)): nothing new was charged.\n" : "")
            + "Paid \(Format.money(result.payment.amount, result.order.currency)) on \(result.order.id)\n"
        if let change = result.payment.change, change > 0 { text += "CHANGE DUE: \(Format.money(change, result.order.currency))\n" }
        return text + order(result.order)
    }

    static func refund(_ keyed: Keyed<OrderRefundResult>) -> String {
        let result = keyed.response
        let amount = Format.money(result.refund.amount, result.order.currency)
        let destination = result.refund.toWallet.map { " as store credit to \($0)" } ?? ""
        // Cash goes back over the counter: say so, with the amount (not again on a replay).
        let cash = result.refund.toWallet == nil && !keyed.replayed
            && result.order.payments.first { $0.id == result.refund.paymentId }?.tender == .cash
        return (keyed.replayed ? "Replayed (key \(keyed.key)).\n" : "")
            + "Refunded \(amount) of \(result.refund.paymentId)\(destination)\n"
            + (cash ? "HAND BACK CASH: \(amount)\n" : "")
            + order(result.order)
    }

    static func payment(_ payment: PaymentView, key: String?, replayed: Bool) -> String {
        let c = payment.currency
        var lines = [
            "Payment \(payment.id)  \(payment.card.brand.rawValue) \(payment.card.first6)…\(payment.card.last4)  \(Format.state(payment.status))",
            "  authorized \(Format.money(payment.authorized, c))   captured \(Format.money(payment.captured, c))   refunded \(Format.money(payment.refunded, c))"
                + (payment.released > 0 ? "   released \(Format.money(payment.released, c))" : ""),
            "  capturable \(Format.money(payment.capturable, c))   refundable \(Format.money(payment.refundable, c))   hold until \(time(payment.expiresAt))",
        ]
        for event in payment.events {
            lines.append("  \(time(event.at))  \(Format.state(event.kind))  \(Format.money(event.amount, c))")
        }
        if let key { lines.insert((replayed ? "Replayed, key " : "Key ") + key, at: 0) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func wallet(_ wallet: WalletView, key: String?, replayed: Bool) -> String {
        var text = "Wallet \(wallet.name)  balance \(Format.money(wallet.balance, wallet.currency))"
        if wallet.overdraftLimit > 0 { text += "  overdraft limit \(Format.money(wallet.overdraftLimit, wallet.currency))" }
        text += "  available \(Format.money(wallet.available, wallet.currency))"
        text += (wallet.customer.map { "  customer \($0)" } ?? "") + "\n"
        if let key { text = (replayed ? "Replayed, key " : "Key ") + key + "\n" + text }
        return text
    }
}
