import TillCore
public import TillService

/// The shop as its receipts name it: `TILL_SHOP_NAME`, and `TILL_SHOP_ADDRESS` with `|`
/// between lines ("12 Market St|Springfield"). Control characters are dropped and each line is
/// cut to the receipt's width, so the environment cannot drive a printer or a terminal.
public struct ShopDetails: Sendable, Equatable {
    public let name: String
    public let address: [String]

    public init(name: String, address: [String] = []) {
        self.name = Self.clean(name)
        self.address = address.map(Self.clean).filter { !$0.isEmpty }.prefix(Self.maximumAddressLines).map { $0 }
    }

    public static let unnamed = ShopDetails(name: "TILL")
    static let maximumAddressLines = 4

    public static func from(environment: [String: String]) -> ShopDetails {
        let name = environment["TILL_SHOP_NAME"].map(clean) ?? ""
        let address = (environment["TILL_SHOP_ADDRESS"] ?? "").split(whereSeparator: { $0 == "|" || $0 == "\n" }).map(String.init)
        return ShopDetails(name: name.isEmpty ? unnamed.name : name, address: address)
    }

    private static func clean(_ text: String) -> String {
        Format.fit(String(text.filter { $0.displayWidth > 0 || $0 == " " }).trimmingBlanks(), Receipt.width)
    }
}

/// A plain-text receipt, what `t` on the order screen saves: the shop, the order, each payment
/// with its tender (cash with what was handed over and the change; a card as brand and last
/// four only; store credit by wallet) and who took it, refunds, payments whose outcome is not
/// known yet marked as not paid, and the totals.
public enum Receipt {
    static let width = 40

    public static func text(_ order: OrderView, printedAt: LocalTime, utcOffsetSeconds: Int, shop: ShopDetails = .unnamed) -> String {
        let money = { (value: Int64) in Format.money(value, order.currency) }
        func local(_ iso: String) -> String {
            guard let time = LocalTime(iso: iso, utcOffsetSeconds: utcOffsetSeconds) else { return iso }
            return "\(time.isoDay) \(time.clock)"
        }
        let rule = String(repeating: "-", count: width)
        var lines = ([shop.name] + shop.address).map(centred)
        lines += [
            String(repeating: "=", count: width),
            line("Order", order.id),
            line("Customer", Format.fit(order.email, width - 10)),
            line("Date", local(order.createdAt)),
            rule,
            line("Total", money(order.total)),
            rule,
        ]
        for payment in order.payments {
            lines.append(line("  " + local(payment.createdAt), takenBy(payment).map { "by " + Format.fit($0, 16) } ?? ""))
            lines.append(line("  " + Format.fit(tender(payment), width - 16), money(payment.amount)))
            if let tendered = payment.tendered, let change = payment.change {
                lines.append(line("    tendered \(money(tendered))", "change \(money(change))"))
            }
            for refund in payment.refunds {
                let to = refund.toWallet.map { " to " + Format.fit($0, 10) } ?? ""
                lines.append(line("    refund\(to) \(local(refund.createdAt))", "-" + money(refund.amount)))
            }
        }
        for request in order.pending ?? [] {
            let what = request.card.map { Format.card(brand: $0.brand, last4: $0.last4) } ?? request.tender.map { Format.state($0) } ?? "payment"
            let refund = request.isRefund
            lines.append(line("  " + local(request.since), "PENDING"))
            lines.append(line("  " + Format.fit((refund ? "refund · " : "") + what, width - 16), (refund ? "-" : "") + money(request.amount)))
            lines.append(refund ? "    not refunded yet" : "    NOT PAID YET: outcome pending")
        }
        if order.payments.isEmpty, order.pending?.isEmpty ?? true { lines.append("  no payments yet") }
        lines += [rule, line("Paid", money(order.paid))]
        if let pending = order.pendingPaid, pending > 0 { lines.append(line("Pending, not paid yet", money(pending))) }
        lines += [
            line("Refunded", money(order.refunded)),
            line("Balance due", money(order.balanceDue)),
            String(repeating: "=", count: width),
            line("Printed", "\(printedAt.isoDay) \(printedAt.clock)"),
            "",
        ]
        return lines.joined(separator: "\n")
    }

    /// Who took the payment (payments recorded before operators were kept name nobody).
    static func takenBy(_ payment: OrderPaymentView) -> String? { payment.operator }

    static func tender(_ payment: OrderPaymentView) -> String {
        if let card = payment.card { return Format.card(brand: card.brand, last4: card.last4) }
        if let wallet = payment.wallet { return "Store credit · \(wallet)" }
        return payment.tender.displayName
    }

    private static func line(_ left: String, _ right: String) -> String {
        guard !right.isEmpty else { return left }
        let gap = max(1, width - left.displayWidth - right.displayWidth)
        return left + String(repeating: " ", count: gap) + right
    }

    private static func centred(_ text: String) -> String {
        String(repeating: " ", count: max(0, (width - text.displayWidth) / 2)) + text
    }
}
