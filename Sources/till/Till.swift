import ArgumentParser

/// The `till` command. Bare `till` will open the POS once the terminal layer lands; today it
/// answers `--help` and `--version`.
@main
struct Till: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "till",
        abstract: "A point-of-sale terminal and payment gateway for a small shop.",
        discussion: """
            Till takes orders and payments (card, cash, store credit) and keeps a ledger that \
            never loses a cent or charges twice.
            """,
        version: TillVersion.current
    )
}

enum TillVersion {
    static let current = "0.1.0"
}
