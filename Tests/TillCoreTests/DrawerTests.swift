import Testing
@testable import TillCore

/// The drawer's fold: expected cash, takings (store credit apart), overflow as a rejection.
@Suite struct DrawerCoreTests {
    static let at = Instant(millisecondsSinceEpoch: 0)

    static func usd(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .usd) }

    static func line(_ kind: DrawerEvent.Kind, _ tender: Tender.Kind, _ amount: Int64, change: Int64 = 0) -> DrawerEvent {
        DrawerEvent(kind: kind, tender: tender, amount: usd(amount), change: usd(change), operatorName: .till, at: at)
    }

    static func line(_ kind: DrawerEvent.Kind, _ amount: Int64) -> DrawerEvent {
        DrawerEvent(kind: kind, amount: usd(amount), operatorName: .till, at: at)
    }

    @Test func expectedIsFloatPlusCashAfterChangeLessRefundsPlusInLessOut() throws {
        let session = try DrawerSession.fold(id: "d", journal: [
            Self.line(.opened, 10_000),
            Self.line(.sale, .cash, 3_000, change: 2_000),
            Self.line(.sale, .card, 4_000),
            Self.line(.sale, .storeCredit, 2_500),
            Self.line(.refund, .cash, 500),
            Self.line(.refund, .storeCredit, 100),
            Self.line(.void, 900),
            Self.line(.paidIn, 2_000),
            Self.line(.paidOut, 750),
            Self.line(.closed, 13_700),
        ]).get()
        #expect(session.expected == Self.usd(13_750))
        #expect(session.difference == Self.usd(-50))
        #expect(session.state == .closed)
        #expect(session.figures.cashTendered == 5_000 && session.figures.changeGiven == 2_000)
        // Store credit redeemed is not new money, and a refund to store credit gives none back.
        #expect(session.figures.takings == 4_000 + 3_000 - 500)
        #expect(session.figures.storeCreditRedeemed == 2_500 && session.figures.storeCreditRefunds == 100)
        #expect(session.figures.voids == 1 && session.figures.sales == 3 && session.figures.refunds == 2)
    }

    @Test func nothingAfterTheCloseAndNoOtherCurrency() {
        let closed = [Self.line(.opened, 0), Self.line(.closed, 0)]
        #expect(DrawerSession.fold(id: "d", journal: closed + [Self.line(.paidIn, 1)]).failureCode == .drawerNotOpen)
        let yen = DrawerEvent(kind: .paidIn, amount: Money(minorUnits: 1, currency: .jpy), operatorName: .till, at: Self.at)
        #expect(DrawerSession.fold(id: "d", journal: [Self.line(.opened, 0), yen]).failureCode == .currencyMismatch)
        #expect(DrawerSession.fold(id: "d", journal: [Self.line(.paidIn, 1)]).failureCode == .invalidEvent)
    }

    @Test func overflowIsARejectionNeverATrap() {
        let big = Int64.max - 10
        #expect(DrawerSession.fold(id: "d", journal: [Self.line(.opened, big), Self.line(.paidIn, 100)]).failureCode == .amountTooLarge)
        #expect(DrawerSession.fold(id: "d", journal: [Self.line(.opened, 0), Self.line(.sale, .cash, big, change: 100)]).failureCode
            == .amountTooLarge)
        #expect(DrawerSession.fold(id: "d", journal: [Self.line(.opened, 0), Self.line(.paidOut, big), Self.line(.closed, big)])
            .failureCode == .amountTooLarge)
        var figures = DrawerFigures()
        #expect(figures.add(Self.line(.sale, .card, big)).failureCode == nil)
        #expect(figures.add(Self.line(.sale, .card, big)).failureCode == .amountTooLarge)
        #expect(figures.cardSales == big)
    }

    @Test func reasonsAreShortAndPrintable() {
        #expect((try? DrawerReason.parse("  Float top-up ").get()) == "Float top-up")
        #expect(DrawerReason.parse(" ").failureCode == .invalidReason)
        #expect(DrawerReason.parse("a\u{1B}[2J").failureCode == .invalidReason)
        #expect(DrawerReason.parse(String(repeating: "x", count: 201)).failureCode == .invalidReason)
    }

    @Test func byOperatorGroupsByTheCaseFoldedName() throws {
        let ana = try OperatorName.parse("Ana").get(), lower = try OperatorName.parse("ana").get()
        let report = try DrawerReport.make(currency: .usd, sessionId: "d", journal: [
            DrawerEvent(kind: .opened, amount: Self.usd(0), operatorName: ana, at: Self.at),
            DrawerEvent(kind: .paidIn, amount: Self.usd(5), operatorName: lower, at: Self.at),
        ], outside: [Self.line(.sale, .cash, 7)]).get()
        #expect(report.byOperator.count == 1 && report.byOperator.first?.figures.paidIn == 5)
        #expect(report.outside.cashTaken == 7 && report.session?.expected == Self.usd(5))
    }
}

extension Result where Failure == Rejection {
    var failureCode: Rejection.Code? {
        if case .failure(let rejection) = self { return rejection.code }
        return nil
    }
}
