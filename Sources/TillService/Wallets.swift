public import TillCore
import TillStore

extension TillService {
    /// Opens a wallet: `wallet_exists` if the name (in any case) is taken. `customer` is the
    /// email of the customer the store credit belongs to.
    public func openWallet(
        name: String, currency: String? = nil, balance: String? = nil, overdraft: String? = nil, customer: String? = nil
    ) async -> Result<WalletView, Rejection> {
        let wallet: Wallet
        do throws(Rejection) {
            let name = try Wallet.validName(name).get()
            let currency = try parseCurrency(currency, default: .usd).get()
            wallet = try Wallet.open(
                name: name, currency: currency,
                balance: try balance.map { text throws(Rejection) in try Money.parse(text, currency: currency).get() },
                overdraftLimit: try overdraft.map { text throws(Rejection) in try Money.parse(text, currency: currency).get() },
                customer: try customer.map { text throws(Rejection) in try Email.parse(text).get() }).get()
        } catch { return .failure(error) }
        return await write { ledger, now in
            if try ledger.wallet(key: wallet.key) != nil {
                throw Rejection(.walletExists, "A wallet named \(wallet.name) already exists.")
            }
            try ledger.insert(wallet, at: now)
            return WalletView(wallet)
        }
    }

    public func wallet(name: String) async -> Result<WalletView, Rejection> {
        await read { ledger, _ in
            guard let wallet = try ledger.wallet(key: Wallet.key(for: name)) else { throw Self.noWallet(name) }
            return WalletView(wallet)
        }
    }

    /// A wallet's movements, newest first.
    public func walletHistory(name: String, limit: Int = 50) async -> Result<[WalletEvent], Rejection> {
        await read { ledger, _ in
            guard try ledger.wallet(key: Wallet.key(for: name)) != nil else { throw Self.noWallet(name) }
            return try ledger.walletEvents(key: Wallet.key(for: name), limit: limit)
        }
    }

    public func credit(name: String, amount: String, key: String, currency: String? = nil) async -> Result<Keyed<WalletView>, Rejection> {
        await moveMoney(credit: true, name: name, amount: amount, key: key, currency: currency)
    }

    public func debit(name: String, amount: String, key: String, currency: String? = nil) async -> Result<Keyed<WalletView>, Rejection> {
        await moveMoney(credit: false, name: name, amount: amount, key: key, currency: currency)
    }

    /// Credit or debit by client transaction id: identical replay answers the same balance; a
    /// refusal (insufficient funds, wrong currency) frees the id for another request.
    private func moveMoney(
        credit: Bool, name: String, amount: String, key keyText: String, currency: String?
    ) async -> Result<Keyed<WalletView>, Rejection> {
        let key: IdempotencyKey, walletKey = Wallet.key(for: name)
        do throws(Rejection) {
            key = try IdempotencyKey.parse(keyText).get()
        } catch { return .failure(error) }
        let operation = credit ? "wallet.credit" : "wallet.debit"
        return await keyedLocally(key: key, operation: operation, target: walletKey, prepare: { ledger in
            guard let wallet = try ledger.wallet(key: walletKey) else { throw Self.noWallet(name) }
            let money = try Money.parse(amount, currency: try parseCurrency(currency, default: wallet.currency).get()).get()
            return (RequestFingerprint(operation: operation, target: walletKey, parameters: ["amount": money]), (wallet, money))
        }) { ledger, now, prepared in
            let (wallet, money) = prepared
            let next = try decided(credit ? wallet.credit(money) : wallet.debit(money))
            try ledger.update(next, kind: credit ? "credited" : "debited", amount: money, reference: key.value, at: now)
            return WalletView(next)
        }
    }
}
