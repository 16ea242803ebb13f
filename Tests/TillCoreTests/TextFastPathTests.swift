@_spi(_Unicode) import Swift
import Testing
@testable import TillCore

/// ASCII text takes a short way through `canonical`, `caseFolded` and `isPrintable` (they are
/// on every key, email and name the ledger reads back); it must give the long way's answer.
@Suite struct TextFastPathTests {
    /// Every ASCII text of one and two characters, and longer ones in a fixed pseudo-random
    /// stream, each with the same answers both ways, byte for byte.
    @Test func asciiTakesTheShortWayToTheSameAnswer() {
        var texts: [String] = []
        let ascii = (0..<128).compactMap(Unicode.Scalar.init).map(String.init)
        for first in ascii {
            texts.append(first)
            for second in ascii { texts.append(first + second) }
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2_000 {
            var text = ""
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for index in 0..<Int(state >> 59) + 3 {
                text += ascii[Int((state >> UInt64(index % 57)) & 0x7F)]
            }
            texts.append(text)
        }
        for text in texts {
            #expect(text.isASCII)
            #expect(text.canonical.sameBytes(text.fullyCanonical), "\(text.unicodeScalars.map(\.value))")
            #expect(text.caseFolded.sameBytes(text.fullyCaseFolded), "\(text.unicodeScalars.map(\.value))")
            #expect(text.isPrintable == text.everyScalarPrintable, "\(text.unicodeScalars.map(\.value))")
            #expect(text.trimmingBlanks().sameBytes(text.trimmingBlanksTheLongWay()), "\(text.unicodeScalars.map(\.value))")
            #expect(Email.isPlausibleASCII(text) == Email.isPlausibleAnyText(text), "\(text.unicodeScalars.map(\.value))")
        }
    }

    /// Address-shaped ASCII (letters, "@", ".", blanks and controls in a fixed pseudo-random
    /// stream, and the edges of the lengths): the short plausibility check is the long one.
    @Test func asciiAddressesTakeTheShortWayToTheSameAnswer() {
        let pieces = ["a", "b", "@", ".", ".", "@", " ", "\t", "\u{7F}", "-", "x.y", "@b.c", "..", "\r\n"]
        var texts = ["a@b.c", "a@b", "@b.c", "a@.c", "a@b.", "a@@b.c", "a@b..c", ".a@b.c", "a.@b.c",
                     String(repeating: "a", count: 64) + "@b.c", String(repeating: "a", count: 65) + "@b.c",
                     "a@" + String(repeating: "b", count: 248) + ".c", "a@" + String(repeating: "b", count: 249) + ".c"]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for _ in 0..<20_000 {
            var text = ""
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for index in 0..<Int(state >> 60) + 1 { text += pieces[Int((state >> UInt64(index * 4 % 56)) & 0xF) % pieces.count] }
            texts.append(text)
        }
        for text in texts {
            #expect(Email.isPlausibleASCII(text) == Email.isPlausibleAnyText(text), "\(text.debugDescription)")
            #expect(text.trimmingBlanks().sameBytes(text.trimmingBlanksTheLongWay()), "\(text.debugDescription)")
        }
        #expect(texts.contains { Email.isPlausibleASCII($0) } && texts.contains { !Email.isPlausibleASCII($0) })
    }

    /// A decomposed scalar that does not change when case folded folds to itself: the folding
    /// skips those, and gives what folding every scalar gives, for every scalar of the Basic
    /// Multilingual Plane and the supplementary planes that have letters.
    @Test func caseFoldingSkipsOnlyScalarsThatFoldToThemselves() {
        let ranges: [ClosedRange<UInt32>] = [0...0xFFFF, 0x10000...0x1FFFF, 0xE0000...0xE01EF]
        var texts: [String] = []
        for range in ranges {
            var chunk = ""
            for value in range {
                guard let scalar = Unicode.Scalar(value) else { continue }
                // Each scalar decomposed, as the folding gets it.
                chunk += String(String(scalar).decomposedScalars)
                if chunk.unicodeScalars.count >= 512 {
                    texts.append(chunk)
                    chunk = ""
                }
            }
            texts.append(chunk)
        }
        for text in texts {
            var everyScalar = String.UnicodeScalarView()
            for scalar in text.unicodeScalars { everyScalar.append(contentsOf: scalar.properties._caseFolded.unicodeScalars) }
            #expect(String.caseFoldedScalars(text).sameBytes(String(everyScalar)))
        }
    }

    @Test func textBeyondASCIITakesTheLongWay() {
        for text in ["İnci@Example.com", "cafe\u{301}", "STRASSE ẞ", "a\u{200B}b", "Ω\u{1}"] {
            #expect(!text.isASCII)
            #expect(text.caseFolded.sameBytes(text.fullyCaseFolded))
            #expect(text.canonical.sameBytes(text.fullyCanonical))
            #expect(text.isPrintable == text.everyScalarPrintable)
        }
        #expect("İnci".caseFolded == "inci")
    }
}

extension String {
    /// This text's scalars in NFD.
    fileprivate var decomposedScalars: String.UnicodeScalarView {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: _nfd)
        return scalars
    }
}
