import Testing
@testable import TillStore

/// The pieces of the PostgreSQL backend that need no server: the translation of the ledger's
/// queries (written once, in SQLite's words) and the reading of a database's address.
@Suite("PostgreSQL: dialect and address")
struct PostgresTranslationTests {
    @Test func argumentsBecomeNumberedAndQuotedTextIsLeftAlone() {
        let translated = PostgresDialect.translate("SELECT '?', \"a?b\" FROM t WHERE x = ? AND y = ? AND z = 'it''s ?'")
        #expect(translated.sql == "SELECT '?', \"a?b\" FROM t WHERE x = $1 AND y = $2 AND z = 'it''s ?'")
        #expect(translated.names.isEmpty)
        #expect(PostgresDialect.translate("WHERE a = ?2 OR b = ?1 LIMIT ?3").sql == "WHERE a = $2 OR b = $1 LIMIT $3")
    }

    @Test func namedArgumentsShareTheirNumberAndCastsAreNotNames() {
        let translated = PostgresDialect.translate("WHERE k >= :term AND k < :end AND instr(k, :term) > 1 AND v::text = :end")
        #expect(translated.sql == "WHERE k >= $1 AND k < $2 AND strpos(k, $1) > 1 AND v::text = $2")
        #expect(translated.names == ["term", "end"])
    }

    @Test func onlyFunctionCallsAreRenamed() {
        #expect(PostgresDialect.translate("SELECT IFNULL(instr, 0), ifnull (x) FROM instr").sql == "SELECT coalesce(instr, 0), ifnull (x) FROM instr")
    }

    @Test func anAddressIsReadAndItsPasswordNeverShown() throws {
        let url = try PostgresURL("postgres://till:s3cret@db.shop.lan:6543/shop")
        #expect(url.display == "postgres://till:***@db.shop.lan:6543/shop")
        #expect(try PostgresURL("postgresql://till@db/shop").display == "postgres://till@db:5432/shop")
        for bad in ["postgres://db/shop", "postgres://till@db", "postgres://till@db/", "postgres://till:pw@db/shop?sslmode=require"] {
            #expect(throws: LedgerOpenError.self) { try PostgresURL(bad) }
            do { _ = try PostgresURL(bad) } catch { #expect(!"\(error)".contains("pw"), "\(error)") }
        }
        #expect(PostgresURL.redacted("postgres://u:p@ss/w@host/db") == "\"postgres://u:***@host/db\"")
        // An option may carry the password too.
        for text in ["postgres://u@host/db?password=Hunter2", "postgres://host/db?user=u&password=Hunter2"] {
            #expect(!PostgresURL.redacted(text).contains("Hunter2"))
            do { _ = try PostgresURL(text) } catch { #expect(!"\(error)".contains("Hunter2"), "\(error)") }
        }
        #expect(!PostgresURL.isPostgres("/var/lib/till/till.sqlite"))
    }
}
