public import TillCore
public import TillService

/// Store-credit wallets: balances, history; open, credit, debit.
public struct WalletsModel: Sendable, Equatable {
    public var wallets: [WalletView] = []
    public var selected = 0
    public var history: [WalletEvent] = []
    public var historyFor: String?
    public var error: String?
}

extension POSState {
    var selectedWallet: WalletView? { wallets.wallets[safe: wallets.selected] }

    mutating func handleWalletsKey(_ key: Key) -> [POSEffect]? {
        switch key {
        case .up, .down, .pageUp, .pageDown, .home:
            let before = wallets.selected
            wallets.selected = Table.moved(wallets.selected, count: wallets.wallets.count, by: key)
            guard wallets.selected != before, let wallet = selectedWallet else { return [] }
            return [.query(.walletHistory(name: wallet.name))]
        case .character("o"):
            overlay = .openWallet(OpenWalletDialog(currency: defaultCurrency))
            return []
        case .character("+"), .character("-"):
            guard let wallet = selectedWallet else { return [] }
            let purpose: AmountPurpose = key == .character("+") ? .credit(wallet: wallet.name) : .debit(wallet: wallet.name)
            let limit: Int64? = key == .character("-") ? wallet.available : nil
            overlay = .amount(AmountDialog(purpose: purpose, currency: wallet.currency, prefill: nil, limit: limit, key: nextKey()))
            return []
        default:
            return nil
        }
    }

    func renderWallets(into buffer: inout CellBuffer, _ area: Rect) {
        let x = area.x + 1
        let listWidth = area.width * 9 / 20
        buffer.heading("Wallets", x: x, y: area.y, width: listWidth)
        if let error = wallets.error { buffer.write("! " + error, x: x + 10, y: area.y, style: Theme.error, limit: listWidth - 10) }
        let rows = wallets.wallets.map { wallet -> [String] in
            [wallet.name, Format.money(wallet.balance, wallet.currency)]
        }
        Table(columns: [.init("Name", width: 0), .init("Balance", width: 11, alignRight: true)])
            .render(rows, selected: wallets.wallets.isEmpty ? nil : wallets.selected, focused: overlay == nil, into: &buffer,
                    Rect(x: x, y: area.y + 1, width: listWidth, height: area.height - 1),
                    emptyText: "No wallets yet: press o to open one.")
        guard let wallet = selectedWallet else { return }
        let right = Rect(x: x + listWidth + 2, y: area.y, width: area.maxX - x - listWidth - 3, height: area.height)
        buffer.heading(wallet.name, x: right.x, y: right.y, width: right.width)
        buffer.write(wallet.customer ?? "no customer", x: right.x, y: right.y + 1, style: Theme.dim, limit: right.width)
        buffer.write("Balance", x: right.x, y: right.y + 2, style: Theme.label)
        buffer.writeRight(Format.money(wallet.balance, wallet.currency), right: right.maxX, y: right.y + 2, style: Theme.money)
        buffer.write("Overdraft limit", x: right.x, y: right.y + 3, style: Theme.label)
        buffer.writeRight(Format.money(wallet.overdraftLimit, wallet.currency), right: right.maxX, y: right.y + 3)
        buffer.write("Available", x: right.x, y: right.y + 4, style: Theme.label)
        buffer.writeRight(Format.money(wallet.available, wallet.currency), right: right.maxX, y: right.y + 4)
        buffer.heading("History", x: right.x, y: right.y + 5, width: right.width)
        guard wallets.historyFor == wallet.name else { return }
        for (row, line) in wallets.history.prefix(right.height - 6).enumerated() {
            let y = right.y + 6 + row
            let when = LocalTime(line.at, utcOffsetSeconds: utcOffsetSeconds)
            // Debits ("debited") take money out; credits and an opening balance put it in.
            let signed = line.kind.hasPrefix("debit") ? -line.amount : line.amount
            buffer.write("\(when.day) \(LocalTime.months[when.month - 1]) \(line.kind)", x: right.x, y: y, style: Theme.dim, limit: right.width - 23)
            buffer.writeRight((signed > 0 ? "+" : "") + Format.money(signed, wallet.currency), right: right.maxX - 12, y: y,
                              style: signed < 0 ? Theme.warning : Theme.success)
            buffer.writeRight(Format.money(line.balanceAfter, wallet.currency), right: right.maxX, y: y, style: Theme.dim)
        }
    }

    func renderOpenWallet(_ dialog: OpenWalletDialog, into buffer: inout CellBuffer) {
        let width = min(62, self.width - 4)
        let said = dialog.error.map { errorLines($0, width: width - 4) } ?? []
        let rect = openDialog(width: width, height: min(self.height - 3, 14 + max(1, said.count)), title: "Open a wallet", into: &buffer)
        let x = rect.x + 2
        let fieldX = x + 12
        let fields = [dialog.name, dialog.currency, dialog.balance, dialog.overdraft, dialog.customer]
        for (index, label) in OpenWalletDialog.labels.enumerated() {
            let y = rect.y + 2 + index * 2
            buffer.write(label, x: x, y: y, style: dialog.focus == index ? Theme.label.bolded : Theme.label)
            let fieldWidth = index == 1 ? 5 : (index == 2 || index == 3 ? 14 : width - 16)
            fields[index].render(into: &buffer, x: fieldX, y: y, width: fieldWidth, focused: dialog.focus == index,
                                 alignRight: index == 2 || index == 3)
            if dialog.problem?.field == index, let problem = dialog.problem {
                buffer.write("! " + problem.message, x: fieldX, y: y + 1, style: Theme.error, limit: rect.maxX - fieldX - 2)
            }
        }
        for (index, line) in said.enumerated() {
            buffer.write(line, x: x, y: rect.maxY - 2 - said.count + index, style: Theme.error, limit: width - 4)
        }
        dialogFoot("Enter open   Tab next   Esc cancel", key: nil, in: rect, into: &buffer)
    }
}
