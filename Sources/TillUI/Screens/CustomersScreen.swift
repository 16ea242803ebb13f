import TillCore
public import TillService

/// Customer history: search as you type by any part of the email, the name of the customer's
/// store credit, or an order id (from a receipt: Enter opens the order); the chosen customer's
/// lifetime figures, store credit, orders (newest first, paged from the database) and the
/// selected order's payments.
public struct CustomersModel: Sendable, Equatable {
    public enum Focus: Sendable, Equatable { case search, orders }

    /// Any text: a name may have spaces.
    public var search = TextField(filter: .any, maxLength: 254)
    /// Orders whose id starts with the search text (at most two: one means Enter opens it).
    public var orderMatches: [OrderSummaryView] = []
    public var focus = Focus.search
    public var results: [CustomerView] = []
    public var resultIndex = 0
    public var customer: CustomerView?
    public var orders: [OrderSummaryView] = []
    public var next: OrderCursor?
    public var loadingMore = false
    public var orderIndex = 0
    /// The selected order with its payments.
    public var order: OrderView?
    /// Where the operator asked to go beyond the pages loaded so far (PgDn held down): the
    /// selection gets there as the pages arrive.
    public var wanted: Int?
    public var error: String?


    var selectedEmail: String? { results[safe: resultIndex]?.email ?? customer?.email }

    /// The order the search names: the one whose id was typed in full, else the only one
    /// whose id starts with what was typed. Matches of an earlier text whose answer is still
    /// on screen never count: Enter opens only what the field says now.
    var foundOrder: OrderSummaryView? {
        let typed = search.text.trimmingBlanks().lowercased()
        let current = orderMatches.filter { $0.id.hasPrefix(typed) }
        return current.first { $0.id == typed } ?? (current.count == 1 && orderMatches.count == 1 ? current.first : nil)
    }

    /// An order id is searched once this much of it is typed ("ord_" alone matches every order).
    static let orderIdMinimum = 5

    /// The searches for what is in the search field now.
    mutating func searches() -> [POSEffect] {
        var effects: [POSEffect] = [.query(.customers(prefix: search.text))]
        if search.text.trimmingBlanks().count >= Self.orderIdMinimum {
            effects.append(.query(.findOrders(idPrefix: search.text)))
            // Until the answer for this text comes, only matches it still names stay.
            let typed = search.text.trimmingBlanks().lowercased()
            orderMatches.removeAll { !$0.id.hasPrefix(typed) }
        } else {
            orderMatches = []
        }
        return effects
    }

    mutating func reload() -> [POSEffect] {
        var effects = searches()
        if let email = customer?.email {
            loadingMore = true
            effects += [.query(.customer(email: email)), .query(.customerOrders(email: email, after: nil))]
        }
        return effects
    }

    /// Shows `email`'s history from the top.
    mutating func choose(_ email: String) -> [POSEffect] {
        if customer?.email == email { return [] }
        orders = []
        next = nil
        orderIndex = 0
        order = nil
        wanted = nil
        loadingMore = true
        return [.query(.customer(email: email)), .query(.customerOrders(email: email, after: nil))]
    }

    /// Moves the order selection, fetching the next page as the end comes near.
    mutating func selectOrder(_ index: Int) -> [POSEffect] {
        guard !orders.isEmpty else { return [] }
        wanted = index >= orders.count && next != nil ? index : nil
        let clamped = max(0, min(orders.count - 1, index))
        var effects: [POSEffect] = []
        if clamped != orderIndex || order?.id != orders[clamped].id {
            orderIndex = clamped
            effects.append(.query(.order(id: orders[clamped].id)))
        }
        if clamped >= orders.count - 5, let next, !loadingMore, let email = customer?.email {
            loadingMore = true
            effects.append(.query(.customerOrders(email: email, after: next)))
        }
        return effects
    }
}

extension POSState {
    mutating func handleCustomersKey(_ key: Key) -> [POSEffect]? {
        switch customers.focus {
        case .search:
            // An order id (or the unique start of one) was typed: Enter opens that order.
            if key == .enter, let order = customers.foundOrder { return openOrder(order.id) }
            switch key {
            case .up, .down:
                guard !customers.results.isEmpty else { return [] }
                customers.resultIndex = max(0, min(customers.results.count - 1, customers.resultIndex + (key == .up ? -1 : 1)))
                return customers.choose(customers.results[customers.resultIndex].email)
            case .enter, .tab:
                // The orders may still be on their way: the focus moves anyway.
                guard customers.customer != nil || !customers.results.isEmpty else { return [] }
                customers.focus = .orders
                return customers.selectOrder(customers.orderIndex)
            case .escape:
                return nil
            default:
                let before = customers.search.text
                guard customers.search.handle(key) else { return nil }
                if customers.search.text != before { return customers.searches() }
                return []
            }
        case .orders:
            switch key {
            case .up: return customers.selectOrder(customers.orderIndex - 1)
            // Moving down counts from where the operator is heading, not from where the
            // loaded pages stopped the selection.
            case .down: return customers.selectOrder((customers.wanted ?? customers.orderIndex) + 1)
            case .pageUp: return customers.selectOrder(customers.orderIndex - 10)
            case .pageDown: return customers.selectOrder((customers.wanted ?? customers.orderIndex) + 10)
            case .home: return customers.selectOrder(0)
            case .enter, .character("o"):
                guard let order = customers.orders[safe: customers.orderIndex] else { return [] }
                return openOrder(order.id)
            case .character("p"):
                guard let order = customers.orders[safe: customers.orderIndex] else { return [] }
                return openPayment(for: order)
            case .tab, .backTab, .escape, .character("/"):
                customers.focus = .search
                return []
            default: return nil
            }
        }
    }

    func renderCustomers(into buffer: inout CellBuffer, _ area: Rect) {
        let model = customers
        let x = area.x + 1
        buffer.write("Email", x: x + 1, y: area.y, style: Theme.label)
        model.search.render(into: &buffer, x: x + 8, y: area.y, width: 30, focused: model.focus == .search && overlay == nil)
        buffer.write("part of email or name, or an order id", x: x + 40, y: area.y, style: Theme.dim, limit: area.maxX - x - 41)
        let listWidth = max(24, area.width / 3)
        let listRect = Rect(x: x, y: area.y + 2, width: listWidth, height: area.height - 2)
        buffer.heading("Customers", x: listRect.x, y: listRect.y, width: listRect.width)
        // An order found by its id comes first (its id on a line of its own, so a narrow list
        // still shows it whole): Enter opens the one the search names.
        var top = listRect.y + 1
        for order in model.orderMatches {
            buffer.write("Order " + order.id, x: listRect.x, y: top, style: Theme.success, limit: listRect.width)
            top += 1
            if order.id == model.foundOrder?.id {
                buffer.write("  Enter opens it · \(Format.money(order.total, order.currency))", x: listRect.x, y: top, style: Theme.dim, limit: listRect.width)
                top += 1
            }
        }
        if model.results.isEmpty && model.orderMatches.isEmpty {
            buffer.write(model.search.isEmpty ? "Type an email or a name." : "No customer matches.", x: listRect.x, y: top, style: Theme.dim, limit: listRect.width)
        }
        let visible = listRect.maxY - top
        let offset = max(0, model.resultIndex - visible + 1)
        for (row, customer) in model.results.dropFirst(offset).prefix(max(0, visible)).enumerated() {
            let index = offset + row
            let style = index == model.resultIndex ? (model.focus == .search ? Theme.selected : Theme.selectedUnfocused) : Theme.text
            buffer.write(Format.pad(customer.email, listRect.width), x: listRect.x, y: top + row, style: style)
        }
        let right = Rect(x: listRect.maxX + 2, y: area.y + 2, width: area.maxX - listRect.maxX - 3, height: area.height - 2)
        guard let customer = model.customer else {
            if let error = model.error { buffer.write("! " + error, x: right.x, y: right.y, style: Theme.error, limit: right.width) }
            return
        }
        buffer.heading(customer.email, x: right.x, y: right.y, width: right.width)
        let since = localTime(customer.firstOrderAt)?.isoDay ?? ""
        buffer.write("\(Format.count(customer.orderCount, "order")) · \(customer.openOrders) open · since \(since)", x: right.x, y: right.y + 1, style: Theme.dim, limit: right.width)
        var y = right.y + 2
        for total in customer.totals.prefix(2) {
            var column = right.x
            column += buffer.write("Lifetime ", x: column, y: y, style: Theme.label)
            column += buffer.write(Format.money(total.lifetime, total.currency), x: column, y: y, style: Theme.money) + 2
            column += buffer.write("Owing ", x: column, y: y, style: Theme.label)
            buffer.write(Format.money(total.owing, total.currency), x: column, y: y, style: total.owing > 0 ? Theme.warning : Theme.money)
            y += 1
        }
        var column = right.x
        column += buffer.write("Store credit ", x: column, y: y, style: Theme.label)
        let credit = customer.storeCredit.isEmpty ? "none"
            : customer.storeCredit.map { Format.money($0.balance, $0.currency) }.joined(separator: " + ")
        buffer.write(credit, x: column, y: y, style: customer.storeCredit.isEmpty ? Theme.dim : Theme.money, limit: right.maxX - column)
        y += 1
        let paymentsHeight = max(6, right.height / 3)
        let ordersRect = Rect(x: right.x, y: y, width: right.width, height: right.maxY - y - paymentsHeight)
        let rows = model.orders.map { order -> [String] in
            [localTime(order.createdAt)?.isoDay ?? "", Format.money(order.total, order.currency),
             order.balanceDue > 0 ? Format.money(order.balanceDue, order.currency) : "", Format.state(order.status)]
        }
        Table(columns: [
            .init("Date", width: 10), .init("Total", width: 11, alignRight: true), .init("Due", width: 10, alignRight: true),
            .init("Status", width: 0),
        ]).render(rows, selected: model.orders.isEmpty ? nil : model.orderIndex, focused: model.focus == .orders && overlay == nil,
                  into: &buffer, ordersRect, emptyText: model.loadingMore ? "Loading…" : "No orders.")
        // Where the selection is among all their orders (only a few pages are ever loaded).
        if !model.orders.isEmpty {
            let position = "order \(model.orderIndex + 1) of \(customer.orderCount)" + (model.loadingMore ? " · loading…" : "")
            buffer.writeRight(position, right: right.maxX, y: right.y + 1, style: Theme.dim)
        }
        let paymentsY = ordersRect.maxY
        guard let order = model.order, order.id == model.orders[safe: model.orderIndex]?.id else { return }
        buffer.heading("Payments · \(order.id)", x: right.x, y: paymentsY, width: right.width)
        var paymentRows = order.payments.map { payment -> [String] in
            [localTime(payment.createdAt).map { "\($0.day) \(LocalTime.months[$0.month - 1]) \($0.clock)" } ?? "",
             Self.tenderText(payment, order.currency), Format.money(payment.amount, order.currency), Format.state(payment.state)]
        }
        var styles = Array(repeating: Theme.text, count: paymentRows.count)
        let pending = pendingRows(order, columns: 4)
        paymentRows += pending.rows
        styles += pending.styles
        Table(columns: [
            .init("When", width: 12), .init("Tender", width: 0), .init("Amount", width: 10, alignRight: true),
            .init("State", width: 12),
        ]).render(paymentRows, selected: nil, focused: false, into: &buffer,
                  Rect(x: right.x, y: paymentsY + 1, width: right.width, height: right.maxY - paymentsY - 1),
                  rowStyles: styles, emptyText: "No payments.")
    }

    /// Shows `email`'s history on the Customers screen (from the dashboard's Owing list): the
    /// search holds their email, their orders have the focus.
    mutating func openCustomer(_ email: String) -> [POSEffect] {
        var effects = go(to: .customers)
        customers.search.set(email)
        customers.orderMatches = []
        customers.results = []
        customers.resultIndex = 0
        customers.focus = .orders
        customers.customer = nil
        // The answer chooses them (their own email comes first) and loads their orders.
        effects += [.query(.customers(prefix: email))]
        return effects
    }
}
