import TillCore
import TillService
import TillStore

/// The service instances ("processes") of a run, and the requests sent to them: each opens its
/// own connection to the one ledger, as a restarted till would, and what each answer taught
/// the simulator (acknowledged keys, pending keys, new orders, payments and wallets) is kept.
extension Simulator {
    @discardableResult
    func openInstance(startup: Bool, hooked: Bool = true) async -> Int? {
        let number = nextInstance
        nextInstance += 1
        let ledger: LedgerFile
        do {
            ledger = try LedgerFile.open(path: databasePath, secretsDirectory: secretsDirectory)
        } catch {
            fail(SimViolation(invariant: .reopen, detail: "the ledger could not be reopened: \(error)"))
            return nil
        }
        let clock = self.clock, ids = self.ids
        let hooks = hooked ? RequestHooks { [weak self] step, key in
            await self?.hook(instance: number, step: step, key: key) ?? .proceed
        } : nil
        let service = TillService(
            ledger: ledger, processor: processor, clock: { clock.now }, ids: IdSource { ids.make($0) },
            holdWindow: Payment.defaultHoldWindow, owner: RequestOwner(id: "sim-\(number)"), leaseDuration: Self.lease,
            hooks: hooks)
        live[number] = service
        liveOrder.append(number)
        bump(&events, "instance.open")
        log("open i\(number)")
        if startup {
            // As `TillService.open` does on every start: resolve what earlier runs left open.
            busy.insert(number)
            let summary = await service.resolveOpenRequests()
            busy.remove(number)
            log("i\(number) startup resolve recorded \(summary.recorded) released \(summary.released) open \(summary.open)")
            // 6: what was acknowledged before the crash answers the same from the new process.
            for _ in 0..<2 {
                guard violation == nil, live[number] != nil, let key = random.pick(acknowledgedKeys), let op = issued[key] else { break }
                count(.replay)
                await send(op, on: number)
            }
        }
        return number
    }

    func drop(_ number: Int) {
        live[number] = nil
        liveOrder.removeAll { $0 == number }
        busy.remove(number)
    }

    /// A live instance that is not inside a request now.
    func idleInstance() -> Int? {
        random.pick(liveOrder.filter { !busy.contains($0) })
    }

    /// Runs `op` on instance `number` and records what it answered.
    @discardableResult
    func send(_ op: ServiceRequest, on number: Int) async -> SimAnswer? {
        guard let service = live[number] else { return nil }
        if let key = op.key { issued[key] = issued[key] ?? op }
        log("i\(number) \(op.traceText)")
        busy.insert(number)
        depth += 1
        let answer = await op.run(on: service)
        depth -= 1
        busy.remove(number)
        let crashed = live[number] == nil
        log("i\(number) -> \(crashed ? "crashed" : answer.traceText)")
        bump(&operations, op.kind)
        bump(&outcomes, crashed ? "crashed" : (answer.ok ? "ok" : answer.code))
        remember(op, answer, crashed: crashed)
        return answer
    }

    func resolve(_ service: TillService, number: Int, attention: Bool) async {
        log("i\(number) resolve\(attention ? " including attention" : "")")
        busy.insert(number)
        depth += 1
        let summary = await service.resolveOpenRequests(includingAttention: attention)
        depth -= 1
        busy.remove(number)
        bump(&operations, "resolve")
        log("i\(number) -> recorded \(summary.recorded) released \(summary.released) open \(summary.open)\(live[number] == nil ? " crashed" : "")")
    }

    /// An answer to a keyed request is acknowledged once (and must answer the same ever after);
    /// one left unknown is retried later; what a success created joins the workload.
    private func remember(_ op: ServiceRequest, _ answer: SimAnswer, crashed: Bool) {
        if let key = op.key {
            if answer.ok {
                if let earlier = acknowledged[key] {
                    if op == issued[key] && (!answer.replayed || answer.response != earlier) {
                        fail(SimViolation(
                            invariant: .replay,
                            detail: "key \(key) was acknowledged with \(earlier) and now answers (replayed \(answer.replayed)) \(answer.response)"))
                    }
                } else if op == issued[key] {
                    acknowledged[key] = answer.response
                    acknowledgedKeys.append(key)
                }
            } else if crashed || ["payment_pending", "request_in_progress", "storage_error"].contains(answer.code) {
                if !pendingKeys.contains(key) { pendingKeys.append(key) }
            }
        }
        guard answer.ok else { return }
        if let id = answer.orderId, !knownOrders.contains(id) {
            knownOrders.insert(id)
            orders.append(id)
        }
        switch op {
        case .authorize:
            if let id = answer.paymentId, !knownPayments.contains(id) {
                knownPayments.insert(id)
                gatewayPayments.append(id)
            }
        case .openWallet(let name, let currency, _, _, let customer):
            wallets.append((name, currency, customer))
        default: break
        }
    }
}
