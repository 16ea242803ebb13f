import TillCore

extension PlanMaker {
    /// Walks the steps in time order keeping each wallet as the core keeps it (`Wallet`: its
    /// credit, and its debit's overdraft check), so that every store-credit payment and debit
    /// the plan makes is one the service accepts: a payment that would not fit is taken by
    /// card, a debit is cut to what is available (or dropped below 1.00).
    mutating func balanceWallets() {
        var wallets = plan.wallets.map { planned in
            try? Wallet.open(
                name: planned.name, currency: planned.currency,
                overdraftLimit: Money(minorUnits: planned.overdraft, currency: planned.currency)).get()
        }
        func credit(_ index: Int, _ amount: Int64) {
            guard let wallet = wallets[index] else { return }
            wallets[index] = try? wallet.credit(Money(minorUnits: amount, currency: wallet.currency)).get()
        }
        /// True when the wallet took it.
        func debit(_ index: Int, _ amount: Int64) -> Bool {
            guard let wallet = wallets[index],
                  case .success(let debited) = wallet.debit(Money(minorUnits: amount, currency: wallet.currency))
            else { return false }
            wallets[index] = debited
            return true
        }
        var dropped = Set<Int>()
        for (position, step) in plan.steps.enumerated() {
            switch step.action {
            case .credit(let wallet, let amount):
                credit(wallet, amount)
            case .debit(let wallet, let amount):
                // What is available: the balance down to minus the overdraft limit.
                let available = wallets[wallet].flatMap { try? $0.balance.adding($0.overdraftLimit).get() }
                let fitted = min(amount, available?.minorUnits ?? 0)
                if fitted >= 100, debit(wallet, fitted) {
                    plan.steps[position].action = .debit(wallet: wallet, amount: fitted)
                } else {
                    dropped.insert(position)
                }
            case .createAndPay(let order):
                payOrCard(order: order, installment: 0, debit)
            case .pay(let order, let installment):
                payOrCard(order: order, installment: installment, debit)
            case .refund(let order, let installment, let amount, let toWallet):
                if let wallet = toWallet {
                    credit(wallet, amount)
                } else if case .wallet(let wallet) = plan.orders[order].installments[installment].tender {
                    credit(wallet, amount)
                }
            default:
                break
            }
        }
        if !dropped.isEmpty {
            plan.steps = plan.steps.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
        }
    }

    /// A store-credit installment the wallet cannot take is paid with the customer's card.
    private mutating func payOrCard(order: Int, installment: Int, _ debit: (Int, Int64) -> Bool) {
        guard case .wallet(let wallet) = plan.orders[order].installments[installment].tender,
              !debit(wallet, plan.orders[order].installments[installment].amount)
        else { return }
        plan.orders[order].installments[installment].tender = .card(plan.customers[plan.orders[order].customer].card)
    }
}
