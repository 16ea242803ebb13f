public import TillCore
import TillStore

extension TillService {
    /// Records orders whose whole life is already decided (sample history, imports), in one
    /// write transaction: each is a core value, so it was created, paid and refunded under the
    /// domain rules. An id already in the ledger refuses the whole batch (`invalid_request`).
    public func recordHistory(_ orders: [Order]) async -> Result<Int, Rejection> {
        await write { ledger, _ in
            for order in orders {
                if try ledger.orderExists(id: order.id) {
                    throw Rejection(.invalidRequest, "Order \(order.id) is already in the ledger.")
                }
                try ledger.saveWithHistory(order)
            }
            return orders.count
        }
    }
}
