import TillCore
public import TillService

/// Today at a glance: takings by tender, refunds, net takings, a 14-day chart, recent orders
/// and the customers who still owe. Both lists are selectable (Tab goes from one to the other).
public struct DashboardModel: Sendable, Equatable {
    public enum Focus: Sendable, Equatable { case orders, owing }

    public var data: DashboardView?
    public var loading = false
    public var selected = 0
    public var focus = Focus.orders
    /// The selected line of the Owing list.
    public var owingSelected = 0
    public var error: String?
}

extension POSState {
    mutating func handleDashboardKey(_ key: Key) -> [POSEffect]? {
        let orders = dashboard.data?.recentOrders ?? []
        let owing = dashboard.data?.owing ?? []
        switch key {
        case .tab, .backTab, .left, .right:
            // The Owing list takes the keys while it has the focus; an empty one cannot.
            dashboard.focus = dashboard.focus == .orders && !owing.isEmpty ? .owing : .orders
            return []
        default: break
        }
        if dashboard.focus == .owing, !owing.isEmpty {
            switch key {
            case .up, .pageUp: dashboard.owingSelected = max(0, dashboard.owingSelected - (key == .up ? 1 : 10))
            case .down, .pageDown: dashboard.owingSelected = min(owing.count - 1, dashboard.owingSelected + (key == .down ? 1 : 10))
            case .home: dashboard.owingSelected = 0
            case .enter, .character("o"):
                guard let line = owing[safe: dashboard.owingSelected] else { return [] }
                return openCustomer(line.email)
            case .character("r"): return reloadScreen()
            default: return nil
            }
            return []
        }
        switch key {
        case .up, .pageUp: dashboard.selected = max(0, dashboard.selected - (key == .up ? 1 : 10))
        case .down, .pageDown: dashboard.selected = min(max(0, orders.count - 1), dashboard.selected + (key == .down ? 1 : 10))
        case .home: dashboard.selected = 0
        case .enter, .character("o"):
            guard orders.indices.contains(dashboard.selected) else { return [] }
            return openOrder(orders[dashboard.selected].id)
        case .character("p"):
            guard orders.indices.contains(dashboard.selected) else { return [] }
            return openPayment(for: orders[dashboard.selected])
        case .character("r"):
            return reloadScreen()
        default: return nil
        }
        return []
    }

    func renderDashboard(into buffer: inout CellBuffer, _ area: Rect) {
        guard let data = dashboard.data else {
            let text = dashboard.error.map { "! \($0)" } ?? "Loading today's figures…"
            buffer.write(text, x: area.x + 2, y: area.y + 1, style: dashboard.error == nil ? Theme.dim : Theme.error)
            return
        }
        let leftWidth = max(38, area.width * 9 / 20)
        let left = Rect(x: area.x + 1, y: area.y, width: leftWidth - 1, height: area.height)
        let right = Rect(x: area.x + leftWidth + 1, y: area.y, width: area.width - leftWidth - 2, height: area.height)
        // The chart grows with the terminal; the takings need 8 rows. Below it the lists fill
        // the rest (the runner asks for enough orders and customers for a tall terminal).
        let topHeight = max(8, min(20, area.height * 2 / 5))

        // Today's takings.
        buffer.heading("Today · \(localNow.shortDate)", x: left.x, y: left.y, width: left.width)
        var y = left.y + 1
        // One currency per row keeps amounts readable; the others get one line of their own.
        let primary = data.currency
        for tender in Tender.Kind.allCases {
            let line = data.takings.first { $0.tender == tender && $0.currency == primary }
            buffer.write(tender.displayName, x: left.x, y: y, style: Theme.label)
            buffer.writeRight(Format.money(line?.amount ?? 0, primary), right: left.maxX - 7, y: y, style: line == nil ? Theme.dim : Theme.money)
            buffer.writeRight("\(line?.count ?? 0)×", right: left.maxX, y: y, style: Theme.dim)
            y += 1
        }
        let refund = data.refunds.first { $0.currency == primary }
        buffer.write("Refunds", x: left.x, y: y, style: Theme.label)
        buffer.writeRight(Format.money(-(refund?.amount ?? 0), primary), right: left.maxX - 7, y: y, style: refund == nil ? Theme.dim : Theme.warning)
        buffer.writeRight("\(refund?.count ?? 0)×", right: left.maxX, y: y, style: Theme.dim)
        y += 1
        // The service's figure (`Takings.net`): store credit used or refunded to is not new money.
        let primaryNet = data.net.first { $0.currency == primary }
        buffer.write("Net takings", x: left.x, y: y, style: Theme.label.bolded)
        buffer.writeRight(Format.money(primaryNet?.net ?? 0, primary), right: left.maxX - 7, y: y, style: Theme.success)
        y += 1
        let others = data.net.filter { $0.currency != primary }
        if !others.isEmpty {
            let text = "also " + others.map { Format.money($0.net, $0.currency) }.joined(separator: " · ") + " net"
            buffer.write(Format.fit(text, left.width), x: left.x, y: y, style: Theme.money)
            y += 1
        }
        // At 80x24 the block has 8 rows: the note gives way before the lists below move.
        if let credit = primaryNet, credit.storeCreditRedeemed > 0 || credit.refundedToStoreCredit > 0, y < left.y + topHeight - 1 {
            let text = "not in net: store credit used \(Format.money(credit.storeCreditRedeemed, primary))"
                + (credit.refundedToStoreCredit > 0 ? ", refunded to credit \(Format.money(credit.refundedToStoreCredit, primary))" : "")
            buffer.write(Format.fit(text, left.width), x: left.x, y: y, style: Theme.dim)
            y += 1
        }
        if y < left.y + topHeight {
            buffer.write("\(data.ordersCreated) orders created · \(data.paymentsTaken) payments taken", x: left.x, y: y, style: Theme.dim, limit: left.width)
        }

        // The 14-day chart.
        let days = data.daily
        let total = days.reduce(Int64(0)) { $0 + $1.amount }
        buffer.heading("Sales, last \(days.count) days (\(data.currency))", x: right.x, y: right.y, width: right.width)
        buffer.writeRight(" " + Format.money(total, data.currency), right: right.maxX, y: right.y, style: Theme.money)
        let labels = days.map { String($0.day.suffix(2)) }
        buffer.barChart(days.map(\.amount), labels: labels, in: Rect(x: right.x, y: right.y + 1, width: right.width, height: topHeight - 1))

        // Recent orders and who owes.
        let lower = area.y + topHeight
        buffer.heading("Recent orders", x: left.x, y: lower, width: left.width + 1 + right.width / 3)
        let ordersWidth = left.width + right.width / 3
        let rows = data.recentOrders.map { order -> [String] in
            [
                shortWhen(order.createdAt),
                order.email,
                Format.money(order.total, order.currency),
                Format.state(order.status),
            ]
        }
        let table = Table(columns: [
            .init("When", width: 6), .init("Customer", width: 0), .init("Total", width: 11, alignRight: true),
            .init("Status", width: 14),
        ])
        let listFocused = overlay == nil
        table.render(rows, selected: dashboard.selected, focused: listFocused && dashboard.focus == .orders, into: &buffer,
                     Rect(x: left.x, y: lower + 1, width: ordersWidth, height: area.maxY - lower - 1))
        let owingX = left.x + ordersWidth + 2
        let owingWidth = area.maxX - owingX - 1
        buffer.heading("Owing", x: owingX, y: lower, width: owingWidth)
        if data.owing.isEmpty {
            buffer.write("Nobody owes anything.", x: owingX, y: lower + 1, style: Theme.dim, limit: owingWidth)
        }
        // Scrolled like a table: the selected line stays on screen.
        let visible = max(0, area.maxY - lower - 1)
        let offset = max(0, dashboard.owingSelected - visible + 1)
        for (row, line) in data.owing.dropFirst(offset).prefix(visible).enumerated() {
            let y = lower + 1 + row
            let amount = Format.money(line.owing, line.currency)
            let selected = offset + row == dashboard.owingSelected && dashboard.focus == .owing
            let style = selected ? (listFocused ? Theme.selected : Theme.selectedUnfocused) : Theme.text
            if selected { buffer.write(String(repeating: " ", count: owingWidth), x: owingX, y: y, style: style) }
            buffer.write(Format.fit(line.email, owingWidth - amount.displayWidth - 1), x: owingX, y: y, style: style, limit: owingWidth)
            buffer.writeRight(amount, right: owingX + owingWidth, y: y, style: selected ? style : Theme.warning)
        }
    }

    /// "10:05" today, "21 Nov" before: a list's time column.
    func shortWhen(_ iso: String) -> String {
        guard let time = localTime(iso) else { return "" }
        return time.isoDay == localNow.isoDay ? time.clock : "\(time.day) \(LocalTime.months[time.month - 1])"
    }

    /// A stored ISO time as the operator's wall clock.
    func localTime(_ iso: String) -> LocalTime? {
        LocalTime(iso: iso, utcOffsetSeconds: utcOffsetSeconds)
    }
}
