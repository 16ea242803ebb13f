import Foundation
import Testing
import TillService

/// A refund names its installment `order_payment_id`; `payment_id` (on an order payment the
/// gateway payment) stays beside it for one release, and a refund stored before the rename
/// still replays.
@Suite struct RefundViewKeyTests {
    @Test func aRefundStoredUnderTheOldKeyStillReads() throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let stored = #"{"amount":2000,"created_at":"2026-11-22T10:00:00Z","id":"ref_1","payment_id":"op_1"}"#
        let refund = try decoder.decode(RefundView.self, from: Data(stored.utf8))
        #expect(refund.orderPaymentId == "op_1")

        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        let written = String(decoding: try encoder.encode(refund), as: UTF8.self)
        #expect(written == #"{"amount":2000,"created_at":"2026-11-22T10:00:00Z","id":"ref_1","order_payment_id":"op_1","payment_id":"op_1"}"#)
    }
}
