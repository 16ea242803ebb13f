import SeededRandom
import TillCore

/// The demo's people: names from many places (accents, other scripts, family name first)
/// and the domains of their made-up addresses. Shared by the planned days and the history.
enum DemoNames {
    static let firstNames: [(String, String)] = [
        ("Emma", "emma"), ("Liam", "liam"), ("Olivia", "olivia"), ("Noah", "noah"), ("Ava", "ava"),
        ("Ethan", "ethan"), ("Sophia", "sophia"), ("Mason", "mason"), ("Isabella", "isabella"), ("Lucas", "lucas"),
        ("Mia", "mia"), ("James", "james"), ("Amelia", "amelia"), ("Benjamin", "benjamin"), ("Harper", "harper"),
        ("Elijah", "elijah"), ("Charlotte", "charlotte"), ("Daniel", "daniel"), ("Grace", "grace"), ("Henry", "henry"),
        ("Samuel", "samuel"), ("Hannah", "hannah"), ("Jack", "jack"), ("Leah", "leah"), ("Ryan", "ryan"),
        ("Nora", "nora"), ("Priya", "priya"), ("Arjun", "arjun"), ("Aisha", "aisha"), ("Omar", "omar"),
        ("Fatima", "fatima"), ("Mateo", "mateo"), ("Camille", "camille"), ("Kwame", "kwame"), ("Nnamdi", "nnamdi"),
        ("Yuki", "yuki"), ("Mei", "mei"), ("Luis", "luis"), ("Ana", "ana"), ("Sean", "sean"),
        ("José", "jose"), ("Zoë", "zoe"), ("Øyvind", "oyvind"), ("Björn", "bjorn"), ("Chloé", "chloe"),
        ("Renée", "renee"), ("François", "francois"), ("Siobhán", "siobhan"), ("Zoltán", "zoltan"), ("Åsa", "asa"),
        ("Jürgen", "jurgen"), ("Małgorzata", "malgorzata"), ("Søren", "soren"), ("Inès", "ines"), ("Sofía", "sofia"),
    ]

    static let lastNames: [(String, String)] = [
        ("Smith", "smith"), ("Johnson", "johnson"), ("Williams", "williams"), ("Brown", "brown"), ("Jones", "jones"),
        ("Miller", "miller"), ("Davis", "davis"), ("Rodriguez", "rodriguez"), ("Martinez", "martinez"), ("Wilson", "wilson"),
        ("Anderson", "anderson"), ("Taylor", "taylor"), ("Thomas", "thomas"), ("Moore", "moore"), ("Jackson", "jackson"),
        ("Martin", "martin"), ("Lee", "lee"), ("Thompson", "thompson"), ("White", "white"), ("Harris", "harris"),
        ("Clark", "clark"), ("Lewis", "lewis"), ("Walker", "walker"), ("Hall", "hall"), ("Young", "young"),
        ("King", "king"), ("Wright", "wright"), ("Patel", "patel"), ("Nguyen", "nguyen"), ("Kim", "kim"),
        ("Chen", "chen"), ("Singh", "singh"), ("Okafor", "okafor"), ("Mensah", "mensah"), ("Murphy", "murphy"),
        ("O'Brien", "obrien"), ("Dubois", "dubois"), ("Rossi", "rossi"), ("Kowalski", "kowalski"), ("Cohen", "cohen"),
        ("García", "garcia"), ("Müller", "mueller"), ("Nørgaard", "norgaard"), ("Łukasiewicz", "lukasiewicz"),
        ("Ó Briain", "obriain"), ("Fernández", "fernandez"), ("Šimić", "simic"), ("Novák", "novak"),
        ("Weiß", "weiss"), ("Lindqvist", "lindqvist"), ("Haddad", "haddad"), ("Tanaka", "tanaka"),
    ]

    /// Names written family name first, as their owners write them: (name, given, family).
    static let eastAsianNames: [(String, String, String)] = [
        ("李雷", "lei", "li"), ("韩梅梅", "meimei", "han"), ("王芳", "fang", "wang"),
        ("佐藤健", "ken", "sato"), ("김민준", "minjun", "kim"), ("陈静", "jing", "chen"),
    ]

    /// The first customers, the shop's best regulars, show off names beyond ASCII.
    static let showcase = ["José", "李雷", "Zoë", "Øyvind"]

    static let domains = ["example.com", "example.net", "example.org", "mail.example", "inbox.example"]
}

/// Draws from the tables (never empty: the fallbacks only satisfy the type).
extension SplitMix64 {
    /// (as written, as in an address).
    mutating func firstName() -> (String, String) { pick(DemoNames.firstNames) ?? ("Emma", "emma") }
    mutating func lastName() -> (String, String) { pick(DemoNames.lastNames) ?? ("Smith", "smith") }
    /// (as written, given name and family name as in an address).
    mutating func eastAsianName() -> (String, String, String) { pick(DemoNames.eastAsianNames) ?? ("李雷", "lei", "li") }
    mutating func domain() -> String { pick(DemoNames.domains) ?? "example.com" }
    /// Most customers pay in dollars.
    mutating func customerCurrency() -> Currency { weighted([(.usd, 90), (.eur, 6), (.gbp, 4)]) ?? .usd }
}
