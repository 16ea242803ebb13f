import TillCore
public import TillService

/// The cash drawer (F7 / k): the open session with big figures, and its actions: open with a
/// float, pay in and out with a reason, count and close (an explicit `y`), the X report. After
/// a close the Z report stays on screen. Every figure comes from the service's report.
public struct DrawerModel: Sendable, Equatable {
    /// The X report of the open session (or of what moved with none open).
    public var report: DrawerReportView?
    /// A report shown in full (the X on `x`, the Z after a close), and how far it is scrolled.
    public var fullReport: DrawerReportView?
    public var scroll = 0
    /// Where the Z report on screen was saved (or why it was not).
    public var savedNote: String?
    public var loading = false
    public var error: String?
}

public enum DrawerAction: Sendable, Equatable {
    case open, payIn, payOut, close

    var title: String {
        switch self {
        case .open: "Open the drawer"
        case .payIn: "Pay in"
        case .payOut: "Pay out"
        case .close: "Count and close"
        }
    }

    var amountLabel: String {
        switch self {
        case .open: "Float"
        case .payIn, .payOut: "Amount"
        case .close: "Counted"
        }
    }
}

/// An amount (the float, the cash paid in or out, the count), a reason for a pay-in or
/// pay-out, then Enter; a close asks "y / n" first, and only `y` closes. Holds one key.
public struct DrawerDialog: Sendable, Equatable {
    public let action: DrawerAction
    public let currency: String
    public var amount = TextField(filter: .amount, maxLength: 20)
    public var reason = TextField(filter: .any, maxLength: DrawerReason.maximumLength)
    public var focus = 0
    public var confirming = false
    public let key: String
    public var problem: String?
    public var error: String?
    var closed = false

    init(action: DrawerAction, currency: String, key: String) {
        self.action = action
        self.currency = currency
        self.key = key
    }

    var hasReason: Bool { action == .payIn || action == .payOut }

    func command() -> Result<ServiceRequest, FieldProblem> {
        guard case .success(let code) = Currency.named(currency) else { return .failure(FieldProblem(field: 0, message: "Unknown currency.")) }
        let parsed = action == .payIn || action == .payOut ? Money.parsePositive(amount.text, currency: code) : Money.parse(amount.text, currency: code)
        if case .failure(let rejection) = parsed { return .failure(FieldProblem(field: 0, message: rejection.message)) }
        switch action {
        case .open: return .success(.openDrawer(float: amount.text, currency: currency, key: key))
        case .close: return .success(.closeDrawer(counted: amount.text, currency: currency, key: key))
        case .payIn, .payOut:
            guard case .success(let why) = DrawerReason.parse(reason.text) else {
                return .failure(FieldProblem(field: 1, message: "Say why: 1 to \(DrawerReason.maximumLength) characters."))
            }
            return .success(action == .payIn
                ? .payIn(amount: amount.text, reason: why, currency: currency, key: key)
                : .payOut(amount: amount.text, reason: why, currency: currency, key: key))
        }
    }

    var asksFirst: Bool { action == .close }
    func request(state: POSState) -> Result<ServiceRequest, FieldProblem> { command() }
    mutating func remindToConfirm() { problem = "Press y to close the drawer, or n to go back." }
    mutating func show(_ found: FieldProblem?) {
        problem = found?.message
        if let found { focus = found.field } else { error = nil }
    }

    mutating func handle(_ key: Key, state: inout POSState) -> [POSEffect] {
        if let effects = handleFormKey(key, state: &state) { return effects }
        switch key {
        case .tab, .backTab, .up, .down:
            if hasReason { focus = 1 - focus }
        default:
            var field = focus == 0 ? amount : reason
            if field.handle(key) {
                if focus == 0 { amount = field } else { reason = field }
                problem = nil
            }
        }
        return []
    }
}

extension POSState {
    /// The drawer of the POS's currency.
    var drawerQuery: POSQuery { .drawer(currency: defaultCurrency) }

    mutating func handleDrawerKey(_ key: Key) -> [POSEffect]? {
        if drawer.fullReport != nil {
            switch key {
            case .escape, .enter, .character("x"):
                drawer.fullReport = nil
                drawer.scroll = 0
                return []
            case .up, .pageUp:
                drawer.scroll = max(0, drawer.scroll - (key == .up ? 1 : 10))
                return []
            case .down, .pageDown:
                drawer.scroll += key == .down ? 1 : 10
                return []
            default:
                break
            }
        }
        let isOpen = drawer.report?.session != nil
        let currency = drawer.report?.currency ?? defaultCurrency
        switch key {
        case .character("o"):
            guard !isOpen else {
                message = .error("! The \(currency) drawer is open already: c counts and closes it.")
                return []
            }
            overlay = .drawer(DrawerDialog(action: .open, currency: currency, key: nextKey()))
        case .character("i"), .character("u"), .character("c"):
            guard isOpen else {
                message = .error("! No \(currency) drawer is open: press o to open it with a float.")
                return []
            }
            let action: DrawerAction = key == .character("i") ? .payIn : key == .character("u") ? .payOut : .close
            overlay = .drawer(DrawerDialog(action: action, currency: currency, key: nextKey()))
        case .character("x"):
            drawer.fullReport = drawer.report
            drawer.scroll = 0
            return [.query(drawerQuery)]
        default:
            return nil
        }
        return []
    }

    mutating func applyDrawer(_ answer: Result<QueryAnswer, Rejection>) {
        drawer.loading = false
        switch answer {
        case .success(.drawer(let report)):
            drawer.report = report
            drawer.error = nil
            if drawer.fullReport?.report == .x { drawer.fullReport = report }
        case .failure(let rejection):
            drawer.error = rejection.message
        default:
            break
        }
    }

    mutating func applyDrawer(_ command: ServiceRequest, _ answer: CommandAnswer) -> [POSEffect] {
        let replayed = { (yes: Bool) in yes ? " (already done)" : "" }
        switch answer {
        case .drawerReport(let report, let wasReplayed, let note):
            overlay = nil
            if report.report == .z {
                drawer.fullReport = report
                drawer.scroll = 0
                // The path goes on the report's heading: the status bar stays short enough to show whole.
                drawer.savedNote = note
                let difference = DrawerReportText.differenceText(report.difference ?? 0) { Format.money($0, report.currency) }
                message = .info("Drawer closed: difference \(difference)\(replayed(wasReplayed))")
            } else {
                drawer.report = report
                message = .info(
                    "Drawer open with a float of \(Format.money(report.float, report.currency))\(replayed(wasReplayed))")
            }
        case .drawerMovement(let movement, let wasReplayed):
            overlay = nil
            let verb = movement.kind == DrawerEvent.Kind.paidIn.rawValue ? "Paid in" : "Paid out"
            message = .info(
                "\(verb) \(Format.money(movement.amount, movement.currency)): expected \(Format.money(movement.expected, movement.currency))"
                    + replayed(wasReplayed))
        default:
            return []
        }
        drawer.loading = true
        return [.query(drawerQuery)]
    }

    func renderDrawer(into buffer: inout CellBuffer, _ area: Rect) {
        let x = area.x + 1
        let width = area.width - 2
        if let full = drawer.fullReport {
            let lines = DrawerReportText.lines(full, time: localTimeText)
            let room = area.height - 1
            let top = min(drawer.scroll, max(0, lines.count - room))
            let title = full.report == .z ? "Z report" + (drawer.savedNote.map { " · " + $0 } ?? "") : "X report"
            buffer.heading(Format.fit(title, width - 2), x: x, y: area.y, width: width)
            for (row, line) in lines.dropFirst(top).prefix(room).enumerated() {
                buffer.write(line, x: x, y: area.y + 1 + row, limit: width)
            }
            return
        }
        guard let report = drawer.report else {
            buffer.heading("Drawer", x: x, y: area.y, width: width)
            let text = drawer.error.map { "! " + $0 } ?? "Loading…"
            buffer.write(text, x: x, y: area.y + 2, style: drawer.error == nil ? Theme.dim : Theme.error, limit: width)
            return
        }
        let money = { (value: Int64) in Format.money(value, report.currency) }
        guard let session = report.session else {
            buffer.heading("Drawer · \(report.currency)", x: x, y: area.y, width: width)
            buffer.write("No drawer is open. Press o to open it with a float.", x: x, y: area.y + 2, style: Theme.warning, limit: width)
            let apart = report.outsideSession
            if apart.sales > 0 || apart.refunds > 0 {
                buffer.write("Since the last close, with no drawer open:", x: x, y: area.y + 4, style: Theme.label, limit: width)
                buffer.write("\(Format.count(apart.sales, "sale")), cash \(money(apart.cash)), card \(money(apart.card)), "
                    + "cash refunds \(money(apart.cashRefunds))", x: x, y: area.y + 5, limit: width)
                buffer.write("The next session's report shows it apart (not in expected).", x: x, y: area.y + 6, style: Theme.dim, limit: width)
            }
            if let error = drawer.error { buffer.write("! " + error, x: x, y: area.maxY - 1, style: Theme.error, limit: width) }
            return
        }
        let left = Rect(x: x, y: area.y, width: width / 2 - 1, height: area.height)
        let right = Rect(x: x + width / 2 + 1, y: area.y, width: width - width / 2 - 1, height: area.height)
        let opened = report.openedAt.map(localTimeText) ?? ""
        buffer.heading("Drawer \(session) · \(report.currency)", x: left.x, y: left.y, width: left.width)
        buffer.write("open since \(opened) · \(report.openedBy ?? "")", x: left.x, y: left.y + 1, style: Theme.dim, limit: left.width)
        buffer.write("Expected cash", x: left.x, y: left.y + 2, style: Theme.label)
        let expected = money(report.expected)
        let rows = BigText.width(expected) <= left.width ? BigText.rows(expected) : ["", expected, ""]
        for (index, row) in rows.enumerated() {
            buffer.write(row, x: left.x, y: left.y + 3 + index, style: Theme.money, limit: left.width)
        }
        let lines: [(String, String)] = [
            ("Float", money(report.float)),
            ("Cash sales (tendered)", money(report.cashSales)),
            ("Change given", DrawerReportText.lessText(report.changeGiven, report.currency)),
            ("Cash refunds handed back", DrawerReportText.lessText(report.cashRefunds, report.currency)),
            ("Paid in", money(report.paidIn)),
            ("Paid out", DrawerReportText.lessText(report.paidOut, report.currency)),
        ]
        for (index, line) in lines.enumerated() {
            let y = left.y + 7 + index
            buffer.write(line.0, x: left.x, y: y, style: Theme.label, limit: left.width - 14)
            buffer.writeRight(line.1, right: left.maxX, y: y)
        }
        buffer.heading("Takings", x: right.x, y: right.y, width: right.width)
        let takings = money(report.takings)
        let big = BigText.width(takings) <= right.width ? BigText.rows(takings) : ["", takings, ""]
        for (index, row) in big.enumerated() {
            buffer.write(row, x: right.x, y: right.y + 1 + index, style: Theme.success, limit: right.width)
        }
        let tenders: [(String, String)] = [
            ("Card", money(report.tender(.card)?.taken ?? 0)),
            ("Cash (after change)", money(report.tender(.cash)?.taken ?? 0)),
            ("Card refunds", DrawerReportText.lessText(report.tender(.card)?.refunded ?? 0, report.currency)),
            ("Cash refunds", DrawerReportText.lessText(report.cashRefunds, report.currency)),
            ("Store credit (apart)", money(report.storeCreditRedeemed)),
        ]
        for (index, line) in tenders.enumerated() {
            let y = right.y + 4 + index
            buffer.write(line.0, x: right.x, y: y, style: Theme.label, limit: right.width - 14)
            buffer.writeRight(line.1, right: right.maxX, y: y)
        }
        buffer.heading("By operator", x: right.x, y: right.y + 9, width: right.width)
        let operators = report.byOperator.sorted { $0.key < $1.key }
        for (index, entry) in operators.prefix(max(0, right.height - 11)).enumerated() {
            let y = right.y + 10 + index
            let figures = entry.value
            buffer.write("\(figures.name ?? entry.key)  \(Format.count(figures.sales, "sale"))", x: right.x, y: y, limit: right.width - 14)
            buffer.writeRight(money(figures.takings), right: right.maxX, y: y)
        }
        let apart = report.outsideSession
        if apart.sales > 0 || apart.refunds > 0 {
            let note = "+ \(money(apart.cashMovement)) cash moved with no drawer open (not in expected; x shows it)"
            for (index, line) in Format.wrap(note, width: left.width, lines: 3).enumerated() {
                buffer.write(line, x: left.x, y: left.y + 14 + index, style: Theme.warning, limit: left.width)
            }
        }
        if let error = drawer.error { buffer.write("! " + error, x: left.x, y: area.maxY - 1, style: Theme.error, limit: width) }
    }

    /// "Mon 30 Nov 09:00" in the shop's time, for an ISO 8601 instant from a report.
    func localTimeText(_ iso: String) -> String {
        guard let instant = Timestamp.parse(iso) else { return iso }
        let local = LocalTime(instant, utcOffsetSeconds: utcOffsetSeconds)
        return local.shortDate + " " + local.clock
    }

    func renderDrawerDialog(_ dialog: DrawerDialog, into buffer: inout CellBuffer) {
        let width = min(60, self.width - 4)
        let rect = openDialog(width: width, height: 11, title: dialog.action.title, into: &buffer)
        let x = rect.x + 2
        var y = rect.y + 2
        buffer.write(dialog.action.amountLabel, x: x, y: y, style: Theme.label)
        dialog.amount.render(into: &buffer, x: x + 10, y: y, width: 14, focused: dialog.focus == 0 && !dialog.confirming, alignRight: true)
        buffer.write(dialog.currency, x: x + 25, y: y, style: Theme.dim)
        y += 2
        if dialog.hasReason {
            buffer.write("Reason", x: x, y: y, style: Theme.label)
            dialog.reason.render(into: &buffer, x: x + 10, y: y, width: width - 14, focused: dialog.focus == 1 && !dialog.confirming)
        }
        y += 2
        if dialog.confirming {
            buffer.write("Close the drawer with \(dialog.amount.text) \(dialog.currency) counted?  y / n",
                         x: x, y: y, style: Theme.warning, limit: width - 4)
            y += 1
        }
        if let problem = dialog.problem { buffer.write("! " + problem, x: x, y: y, style: Theme.error, limit: width - 4) }
        if let error = dialog.error { buffer.write("! " + error, x: x, y: y, style: Theme.error, limit: width - 4) }
        dialogFoot(dialog.confirming ? "y close   n back" : "Enter ok   Esc cancel", key: dialog.key, in: rect, into: &buffer)
    }
}
