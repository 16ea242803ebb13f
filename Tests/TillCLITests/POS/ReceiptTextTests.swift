import Foundation
import Testing
@testable import TillCLI
import TillCore
import TillProcessor
import TillService
import TillUI

/// Issue 11, receipts worth handing over: the shop's name and address, cash with what was
/// handed over and the change, the card as brand and last four, refunds, a payment whose
/// outcome is unknown marked as not paid; and `t` always prints the order as the ledger has
/// it now, saying where the file went without cutting its name.
@Suite struct ReceiptTextTests {
    static let shop = ShopDetails(name: "Corner Shop", address: ["12 Market St", "Springfield 12345"])

    /// An order of `total` with a cash installment, a card installment refunded in part and a
    /// card installment whose answer was lost (pending), all through the real service.
    static func order(_ pos: POSHarness, currency: String, total: String, cash: String, tendered: String, card: String, refund: String, pending: String) async throws -> OrderView {
        // Ana takes the installments: the receipt names who took each.
        let service = pos.service.acting(as: try OperatorName.parse("Ana").get())
        let order = try await service.createOrder(email: "ann@example.com", amount: total, currency: currency, key: "r-\(currency)-1").get().response
        _ = try await service.pay(orderId: order.id, amount: cash, tender: .cash(tendered: tendered), key: "r-\(currency)-2").get()
        let paid = try await service.pay(
            orderId: order.id, amount: card, tender: .card(number: GoblinPay.TestCard.approved, expiry: "12/30", cvv: "123"),
            key: "r-\(currency)-3").get().response
        _ = try await service.refund(orderId: order.id, paymentId: paid.payment.id, amount: refund, key: "r-\(currency)-4").get()
        let lost = await service.pay(
            orderId: order.id, amount: pending, tender: .card(number: GoblinPay.TestCard.lostResponse, expiry: "12/30", cvv: "123"),
            key: "r-\(currency)-5")
        guard case .failure(let rejection) = lost, rejection.code == .paymentPending else {
            Issue.record("the lost response was not pending: \(lost)")
            return try await pos.order(order.id)
        }
        return try await pos.order(order.id)
    }

    static func text(_ order: OrderView) -> String {
        Receipt.text(order, printedAt: LocalTime(POSHarness.start, utcOffsetSeconds: 0), utcOffsetSeconds: 0, shop: shop)
    }

    @Test func aUSDReceiptWithCashCardRefundAndAPendingPayment() async throws {
        let pos = try await POSHarness()
        let order = try await Self.order(pos, currency: "USD", total: "50.00", cash: "10.00", tendered: "20.00", card: "20.00", refund: "5.00", pending: "12.00")
        let text = Self.text(order)
        #expect(text == """
                          Corner Shop
                          12 Market St
                       Springfield 12345
            ========================================
            Order                              \(order.id)
            Customer                 ann@example.com
            Date                    2026-11-22 10:05
            ----------------------------------------
            Total                             $50.00
            ----------------------------------------
              2026-11-22 10:05                by Ana
              Cash                            $10.00
                tendered $20.00        change $10.00
              2026-11-22 10:05                by Ana
              Visa ••••4242                   $20.00
                refund 2026-11-22 10:05       -$5.00
              2026-11-22 10:05               PENDING
              Visa ••••4046                   $12.00
                NOT PAID YET: outcome pending
            ----------------------------------------
            Paid                              $30.00
            Pending, not paid yet             $12.00
            Refunded                           $5.00
            Balance due                       $20.00
            ========================================
            Printed                 2026-11-22 10:05

            """, "\(text)")
        #expect(!text.contains(GoblinPay.TestCard.approved) && !text.contains("424242"))
    }

    @Test func aJPYReceiptHasNoDecimals() async throws {
        let pos = try await POSHarness()
        let order = try await Self.order(pos, currency: "JPY", total: "5000", cash: "1000", tendered: "2000", card: "2000", refund: "500", pending: "1200")
        let text = Self.text(order)
        for line in [
            "Total                             ¥5,000", "  Cash                            ¥1,000",
            "    tendered ¥2,000        change ¥1,000", "    refund 2026-11-22 10:05        -¥500",
            "  Visa ••••4046                   ¥1,200", "Pending, not paid yet             ¥1,200",
            "Paid                              ¥3,000", "Balance due                       ¥2,000",
        ] {
            #expect(text.contains(line + "\n"), "\(line) not in\n\(text)")
        }
        #expect(!text.contains("¥5,000.00"))
    }

    @Test func theShopComesFromTheEnvironmentCleaned() {
        let shop = ShopDetails.from(environment: ["TILL_SHOP_NAME": " Corner\u{1B}[31m Shop ", "TILL_SHOP_ADDRESS": "12 Market St| |Springfield"])
        #expect(shop == ShopDetails(name: "Corner[31m Shop", address: ["12 Market St", "Springfield"]))
        #expect(ShopDetails.from(environment: [:]).name == "TILL")
    }

    /// `t` reads the order again: a payment taken elsewhere since the screen was drawn is on the
    /// receipt. The status bar names the file first, whole, at 80 columns.
    @Test func aReprintIsTheOrderAsItIsNowAndTheMessageKeepsTheFileName() async throws {
        let pos = try await POSHarness()
        await pos.start()
        await pos.press(.function(3))
        await pos.type("gil@example.com")
        await pos.press(.tab)
        await pos.type("30.00")
        await pos.press(.enter)
        let id = try #require(pos.state.detail.orderId)
        // Another till takes $30.00 in cash; this screen has not heard of it.
        _ = try await pos.service.pay(orderId: id, amount: "30.00", tender: .cash(tendered: "50.00"), key: "elsewhere").get()
        #expect(pos.state.detail.order?.paid == 0)
        await pos.press(.character("t"))
        let path = pos.directory.appendingPathComponent("receipt-\(id).txt").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("tendered $50.00        change $20.00"), "\(text)")
        #expect(text.contains("Balance due                        $0.00"))
        let message = try #require(pos.state.message?.text)
        // The file's name first; a folder too long for the bar wraps onto the rows above.
        #expect(message == "Receipt saved: receipt-\(id).txt in \(pos.directory.path)")
        #expect(pos.screen.contains("Receipt saved: receipt-\(id).txt"), "\(pos.screen)")
    }
}
