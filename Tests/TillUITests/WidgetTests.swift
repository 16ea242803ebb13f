import Testing
import TillCore
import TillService
@testable import TillUI

@Suite struct WidgetTests {
    @Test func textFieldEditsAtTheCursorAndFiltersWhatCannotBeTyped() {
        var amount = TextField(filter: .amount, maxLength: 8)
        for key in ["1", "2", "x", ".", "5", ".", "0"] { _ = amount.handle(.character(Character(key))) }
        #expect(amount.text == "12.50")
        _ = amount.handle(.left)
        _ = amount.handle(.left)
        _ = amount.handle(.backspace)
        #expect(amount.text == "1250")
        _ = amount.handle(.home)
        _ = amount.handle(.delete)
        #expect(amount.text == "250")
        #expect(amount.handle(.enter) == false)
        var code = TextField(filter: .code, maxLength: 3)
        for key in ["u", "s", "d", "x", "1"] { _ = code.handle(.character(Character(key))) }
        #expect(code.text == "USD")
    }

    /// Issue 11: a comma is never guessed (thousands or decimal?): refused, and said so.
    @Test func anAmountRefusesACommaAndSaysWhy() {
        var amount = TextField(filter: .amount, maxLength: 8)
        for key in ["1", "2", ",", "5", ",", "."] { _ = amount.handle(.character(Character(key))) }
        #expect(amount.text == "125.")
        #expect(amount.refusal?.contains("no thousands separators") == true)
        _ = amount.handle(.backspace)
        #expect(amount.refusal == nil)
    }

    /// A prefill is selected: the first key replaces it, a move keeps it, Ctrl-U clears it.
    @Test func aPrefillIsReplacedByTheFirstKeyAndKeptByAMove() {
        var field = TextField("0.00", filter: .amount, maxLength: 20)
        _ = field.handle(.character("5"))
        #expect(field.text == "5")
        field.set("40.00")
        _ = field.handle(.left)
        _ = field.handle(.backspace)
        #expect(field.text == "40.0")
        field.set("40.00")
        _ = field.handle(.character("x"))
        #expect(field.text == "40.00")
        #expect(field.refusal?.contains("letters are not amounts") == true)
        _ = field.handle(.control("u"))
        #expect(field.text.isEmpty)
        var card = CardEntry()
        for key in "4242 4242-4242 4242" { _ = card.number.handle(.character(key)) }
        #expect(card.number.text == "4242424242424242")
        #expect(card.number.refusal == nil)
    }

    @Test func cardEntryMasksTheMiddleAndNamesTheBrandAsDigitsArrive() {
        var card = CardEntry()
        #expect(card.brand == nil)
        for digit in "4242" { _ = card.number.handle(.character(digit)) }
        #expect(card.brand == .visa)
        #expect(card.numberHint?.text == "Visa · 4 digits")
        for digit in "424242424242" { _ = card.number.handle(.character(digit)) }
        #expect(card.maskedNumber == "4242 42•• •••• 4242")
        #expect(card.numberHint?.text == "Visa ✓")
        _ = card.number.handle(.backspace)
        _ = card.number.handle(.character("1"))
        #expect(card.numberHint?.isProblem == true)
        #expect(card.maskedNumber.contains("4241"))
        #expect(!card.maskedNumber.contains("424242424241"))
    }

    @Test func cardEntryChecksExpiryAgainstTheShopsClock() {
        var card = CardEntry()
        for digit in "4242424242424242" { _ = card.number.handle(.character(digit)) }
        for digit in "1026" { _ = card.expiry.handle(.character(digit)) }
        for digit in "123" { _ = card.cvv.handle(.character(digit)) }
        let november2026 = Instant(millisecondsSinceEpoch: 1_795_320_000_000)  // 2026-11-22
        #expect(card.expiryText == "10/26")
        #expect(card.expiryProblem(now: november2026, utcOffsetSeconds: 0) != nil)
        #expect(card.tender(now: november2026, utcOffsetSeconds: 0) == .failure(FieldProblem(field: 1, message: "The card expired at the end of 10/26.")))
        card.expiry.set("1130")
        #expect(card.tender(now: november2026, utcOffsetSeconds: 0) == .success(.card(number: "4242424242424242", expiry: "11/30", cvv: "123")))
    }

    @Test func tableKeepsTheSelectionOnScreen() {
        var buffer = CellBuffer(width: 20, height: 4)
        let rows = (1...10).map { ["row \($0)"] }
        Table(columns: [.init("Name", width: 0)]).render(rows, selected: 7, focused: true, into: &buffer, buffer.bounds)
        let lines = buffer.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0].hasPrefix("Name") && lines[0].hasSuffix("8/10"))
        #expect(lines[3].hasPrefix("row 8"))
        #expect(buffer[0, 3].style == Theme.selected)
    }

    @Test func chartsUseIntegerScalingAndNeverOverflow() {
        var buffer = CellBuffer(width: 3, height: 3)
        buffer.barChart([0, Int64.max, 1], labels: [], in: buffer.bounds)
        #expect(buffer.text == " █\n █\n █▁")
        var bar = CellBuffer(width: 10, height: 1)
        bar.ratioBar(part: 30, whole: 50, x: 0, y: 0, width: 10)
        #expect(bar.text == "██████░░░░")
        bar.ratioBar(part: Int64.max, whole: Int64.max, x: 0, y: 0, width: 10)
        #expect(bar.text == "██████████")
    }

    @Test func formatFitsTextAndTimesToTheShop() {
        #expect(Format.fit("ann@example.com", 8) == "ann@exa…")
        #expect(Format.fitTail("/var/lib/till/till.sqlite", 12) == "…till.sqlite")
        #expect(Format.pad("Zoë", 5, right: true) == "  Zoë")
        #expect(Format.money(123_456, "USD") == "$1,234.56")
        let instant = Instant(millisecondsSinceEpoch: 1_795_341_900_000)  // 2026-11-22T10:05:00Z
        let berlin = LocalTime(instant, utcOffsetSeconds: 3600)
        #expect(berlin.clock == "11:05")
        #expect(berlin.shortDate == "Sun 22 Nov")
        #expect(LocalTime(Instant(millisecondsSinceEpoch: 0), utcOffsetSeconds: -60).isoDay == "1969-12-31")
    }

    @Test func bigDigitsKeepTheirShapeAndSymbolsStaySmall() {
        let rows = BigText.rows("$10.50")
        #expect(rows.count == 3)
        #expect(rows[1].hasPrefix("$"))
        #expect(Set(rows.map(\.displayWidth)).count == 1)
    }
}
