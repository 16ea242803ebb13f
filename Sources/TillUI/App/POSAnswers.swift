import TillCore
import TillService

/// Answers from the runner folded into the state. An answer nobody waits for any more (an old
/// search, a screen left behind) is dropped.
extension POSState {
    mutating func apply(_ query: POSQuery, _ answer: Result<QueryAnswer, Rejection>) -> [POSEffect] {
        switch (query, answer) {
        case (.dashboard, .success(.dashboard(let data))):
            // The selection follows the order, not the row: new orders arrive above it.
            let selectedId = dashboard.data?.recentOrders[safe: dashboard.selected]?.id
            let owingLine = dashboard.data?.owing[safe: dashboard.owingSelected]
            dashboard.data = data
            dashboard.owingSelected = data.owing.firstIndex { $0.email == owingLine?.email && $0.currency == owingLine?.currency }
                ?? min(dashboard.owingSelected, max(0, data.owing.count - 1))
            if data.owing.isEmpty { dashboard.focus = .orders }
            dashboard.loading = false
            dashboard.error = nil
            dashboard.selected = data.recentOrders.firstIndex { $0.id == selectedId }
                ?? min(dashboard.selected, max(0, data.recentOrders.count - 1))
            if case .success(let code) = Currency.named(data.currency), data.recentOrders.isEmpty == false {
                defaultCurrency = code.code
            }
        case (.dashboard, .failure(let rejection)):
            dashboard.loading = false
            dashboard.error = rejection.message

        case (.order(let id), .success(.order(let order))):
            if let before = [detail.order, customers.order].compactMap({ $0 }).first(where: { $0.id == id }) {
                announceSettled(from: before, to: order)
            }
            if case .payment(var dialog) = overlay {
                dialog.follow(order)
                overlay = .payment(dialog)
            }
            if detail.orderId == id {
                detail.order = order
                detail.error = nil
                detail.selected = min(detail.selected, max(0, order.payments.count - 1))
            }
            if customers.orders[safe: customers.orderIndex]?.id == id { customers.order = order }
        case (.order(let id), .failure(let rejection)):
            if detail.orderId == id { detail.error = rejection.message }

        case (.suggestions(let prefix), .success(.customers(let found))):
            guard newOrder.email.text == prefix else { return [] }
            // Once the email is typed out in full, there is nothing to suggest.
            newOrder.suggestions = found.count == 1 && Email.sameCustomer(found[0].email, prefix) ? [] : found
            if let index = newOrder.suggestion, index >= newOrder.suggestions.count { newOrder.suggestion = nil }

        case (.customers(let prefix), .success(.customers(let found))):
            guard customers.search.text == prefix else { return [] }
            // A reload (or a longer prefix) keeps the customer on screen while they still match.
            let chosen = customers.customer?.email
            customers.results = found
            customers.error = found.isEmpty && !prefix.isEmpty && customers.orderMatches.isEmpty
                ? "No email or store credit has \(prefix.echoed()) in it." : nil
            if let index = found.firstIndex(where: { found in chosen.map { Email.sameCustomer(found.email, $0) } ?? false }) {
                customers.resultIndex = index
                return []
            }
            customers.resultIndex = 0
            if let first = found.first { return customers.choose(first.email) }
            customers.customer = nil
            customers.orders = []
            customers.order = nil
        case (.customers, .failure(let rejection)), (.customer, .failure(let rejection)):
            customers.error = rejection.message
        case (.customer(let email), .success(.customer(let customer))):
            guard let selected = customers.selectedEmail, Email.sameCustomer(selected, email) else { return [] }
            customers.customer = customer
        case (.customerOrders(let email, let after), .success(.orders(let page))):
            guard let selected = customers.selectedEmail, Email.sameCustomer(selected, email) else { return [] }
            customers.loadingMore = false
            if after == nil {
                customers.orders = page.orders
                customers.orderIndex = min(customers.orderIndex, max(0, page.orders.count - 1))
            } else {
                customers.orders += page.orders
            }
            customers.next = page.next
            if let wanted = customers.wanted { return customers.selectOrder(wanted) }
            if customers.focus == .orders || customers.order == nil, let order = customers.orders[safe: customers.orderIndex],
               customers.order?.id != order.id {
                return [.query(.order(id: order.id))]
            }
        case (.customerOrders, .failure(let rejection)):
            customers.loadingMore = false
            customers.error = rejection.message

        case (.findOrders(let prefix), .success(.orderMatches(let found))):
            guard customers.search.text == prefix else { return [] }
            customers.orderMatches = found
            if !found.isEmpty { customers.error = nil }
        case (.findOrders, .failure):
            customers.orderMatches = []

        case (.cardPayments(let after), .success(.payments(let page))), (.openHolds(let after), .success(.payments(let page))):
            // A page of the list the operator no longer looks at (the filter changed) is dropped.
            if case .openHolds = query { guard cards.openHoldsOnly else { return [] } } else { guard !cards.openHoldsOnly else { return [] } }
            cards.loadingMore = false
            cards.error = nil
            let selectedId = selectedCardPayment?.id
            if after != nil {
                cards.payments += page.payments
                cards.next = page.next
            } else if page.next != nil, let last = page.payments.last, let join = cards.payments.firstIndex(where: { $0.id == last.id }),
                      join + 1 < cards.payments.count {
                // A refresh of the first page: the pages loaded below it stay (a first page
                // that is the whole list replaces it: an open hold released drops out).
                cards.payments = page.payments + cards.payments[(join + 1)...]
            } else {
                cards.payments = page.payments
                cards.next = page.next
            }
            cards.selected = cards.payments.firstIndex { $0.id == selectedId }
                ?? min(cards.selected, max(0, cards.payments.count - 1))
        case (.cardPayments, .failure(let rejection)), (.openHolds, .failure(let rejection)):
            cards.loadingMore = false
            cards.error = rejection.message

        case (.payouts, let answer):
            applyPayouts(answer)
        case (.wallets, .success(.wallets(let list))):
            let selectedName = selectedWallet?.name
            wallets.wallets = list
            wallets.error = nil
            wallets.selected = list.firstIndex { $0.name == selectedName } ?? min(wallets.selected, max(0, list.count - 1))
            if let wallet = selectedWallet, wallets.historyFor != wallet.name {
                return [.query(.walletHistory(name: wallet.name))]
            }
        case (.walletHistory(let name), .success(.walletHistory(let lines))):
            wallets.history = lines
            wallets.historyFor = name
        case (.wallets, .failure(let rejection)), (.walletHistory, .failure(let rejection)):
            wallets.error = rejection.message

        case (.customerWallets(let email), .success(.wallets(let list))):
            if case .payment(var dialog) = overlay, Email.sameCustomer(dialog.target.email, email) {
                dialog.wallets = list.filter { $0.currency == dialog.target.currency }
                dialog.walletsLoaded = true
                overlay = .payment(dialog)
            }
            if case .amount(var dialog) = overlay, case .refundOrderPayment(_, _, _, _, let owner) = dialog.purpose,
               Email.sameCustomer(owner, email) {
                dialog.wallets = list.filter { $0.currency == dialog.currency }
                dialog.walletsLoaded = true
                overlay = .amount(dialog)
            }
        case (.drawer, _):
            applyDrawer(answer)
        case (.customerWallets, .failure):
            if case .payment(var dialog) = overlay {
                dialog.walletsLoaded = true
                overlay = .payment(dialog)
            }
            if case .amount(var dialog) = overlay {
                dialog.walletsLoaded = true
                overlay = .amount(dialog)
            }
        default:
            break
        }
        return []
    }

    mutating func apply(_ command: ServiceRequest, _ answer: Result<CommandAnswer, Rejection>) -> [POSEffect] {
        if case .failure(let rejection) = answer {
            return fail(command, rejection)
        }
        let replayNote = { (replayed: Bool) in replayed ? " (already done: nothing new was charged)" : "" }
        switch (command, answer) {
        case (_, .success(.drawerReport(_, _, _))), (_, .success(.drawerMovement(_, _))):
            if case .success(let drawerAnswer) = answer { return applyDrawer(command, drawerAnswer) }
            return []
        case (.createOrder, .success(.order(let order, let replayed))):
            newOrder = freshNewOrder(currency: order.currency)
            message = .info("Order \(order.id) created for \(Format.money(order.total, order.currency))" + replayNote(replayed))
            detail = OrderDetailModel(orderId: order.id)
            detail.order = order
            back = [screen]
            screen = .orderDetail
            return []
        case (.createAndPay, .success(.orderPayment(let result, let replayed))),
             (.pay, .success(.orderPayment(let result, let replayed))):
            if case .createAndPay = command { newOrder = freshNewOrder(currency: result.order.currency) }
            let payment = result.payment
            let currency = result.order.currency
            message = .info(
                "Paid \(Format.money(payment.amount, currency)) by \(Self.tenderText(payment, currency)) on \(result.order.id)" + replayNote(replayed))
            if case .payment(var dialog) = overlay {
                if let change = payment.change, change > 0, payment.tender == .cash {
                    dialog.changeDue = change
                    overlay = .payment(dialog)
                } else {
                    overlay = nil
                }
            }
            if screen != .orderDetail || detail.orderId != result.order.id {
                detail = OrderDetailModel(orderId: result.order.id)
                if screen != .orderDetail { back = [screen] }
                screen = .orderDetail
            }
            detail.order = result.order
            detail.selected = max(0, result.order.payments.count - 1)
            return []
        case (.refund, .success(.orderRefund(let result, let replayed))):
            let amount = Format.money(result.refund.amount, result.order.currency)
            // Cash goes back over the counter: the dialog and the status bar say so, with the amount.
            let cash = result.refund.toWallet == nil
                && result.order.payments.first { $0.id == result.refund.paymentId }?.tender == .cash
            if cash, case .amount(var dialog) = overlay {
                dialog.handBack = result.refund.amount
                overlay = .amount(dialog)
            } else {
                overlay = nil
            }
            // The action first: the operator must hand the cash back before anything else.
            let text = cash
                ? "Hand back \(amount) in cash: refunded on \(result.order.id)"
                : "Refunded \(amount) on \(result.order.id)" + (result.refund.toWallet.map { " to store credit: \($0)" } ?? "")
            message = .info(text + replayNote(replayed))
            if detail.orderId == result.order.id { detail.order = result.order }
            return []
        case (_, .success(.payment(let payment, let replayed))):
            overlay = nil
            message = .info("\(command.doneVerb): \(payment.id) is now \(Format.state(payment.status))" + replayNote(replayed))
            if case .authorize = command { cards.unanswered = nil }
            if let index = cards.payments.firstIndex(where: { $0.id == payment.id }) {
                cards.payments[index] = payment
                cards.selected = index
            } else {
                cards.payments.insert(payment, at: 0)
                cards.selected = 0
            }
            return []
        case (_, .success(.wallet(let wallet, let replayed))):
            overlay = nil
            message = .info("\(command.doneVerb) \(wallet.name): balance \(Format.money(wallet.balance, wallet.currency))" + replayNote(replayed))
            wallets.historyFor = nil
            if case .openWallet = command { return [.query(.wallets)] }
            return [.query(.wallets), .query(.walletHistory(name: wallet.name))]
        default:
            return []
        }
    }

    /// A refused or failed command: the dialog stays open with everything typed and the same
    /// key, and says why. An installment on an existing order whose outcome is unknown is
    /// pending on that order: the order is read again, so it shows the pending row (and the
    /// screen goes on resolving it once the dialog is closed).
    mutating func fail(_ command: ServiceRequest, _ rejection: Rejection) -> [POSEffect] {
        // The action a message asks for comes first, so no width can cut it off.
        var text = "\(rejection.message) [\(rejection.code.rawValue)]"
        var status: String?
        var effects: [POSEffect] = []
        let unknown = rejection.code == .paymentPending || rejection.code == .requestInProgress
        if case .createAndPay(_, _, _, _, _, let key) = command {
            // Only a refusal stores nothing; an unknown outcome may still become an order.
            newOrder.payPending = unknown
            text = unknown
                ? "No answer yet: press Enter again to learn the outcome (same key \(key), never charged twice). " + text
                : "The order was not created. " + text
            if unknown { status = "! No answer from GoblinPay: Enter again learns the outcome (key \(key))" }
        }
        if case .pay(let orderId, _, _, let key) = command, unknown {
            text = "Pending [\(rejection.code.rawValue)]: Esc shows it on the order, which keeps asking GoblinPay; "
                + "Enter asks now (key \(key)). \(rejection.message)"
            effects.append(.query(.order(id: orderId)))
            // The status bar outlives the dialog: short, and true on the order screen too.
            status = "! Pending, key \(key): asking GoblinPay"
        }
        switch overlay {
        case .payment(let dialog): overlay = .payment(dialog.saying(text))
        case .amount(let dialog): overlay = .amount(dialog.saying(text))
        case .openWallet(let dialog): overlay = .openWallet(dialog.saying(text))
        case .drawer(let dialog): overlay = .drawer(dialog.saying(text))
        case .authorize(var dialog):
            if rejection.code == .idempotencyKeyReused {
                // The kept key was spent by the earlier request (it went through after all):
                // this one was not sent. A new key, and the operator decides.
                cards.unanswered = nil
                dialog = dialog.rekeyed(nextKey())
                text = "Not sent: this dialog's key belongs to the earlier authorization (it went through, or is still "
                    + "being resolved: see the list and `till pending`). Enter sends this one as a new hold."
                effects.append(.query(.cardPayments(after: nil)))
            } else {
                dialog.unanswered = unknown
                cards.unanswered = unknown ? dialog : nil
            }
            overlay = .authorize(dialog.saying(text))
        default:
            if case .createOrder = command { newOrder.error = text }
        }
        message = .error(status ?? "! " + text)
        return effects
    }
}
