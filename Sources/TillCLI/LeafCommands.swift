import ArgumentParser

/// The leaf commands by their words (`wallet credit`), so a command line that names one is
/// parsed by that command alone: the parser then reflects on one command, not on the whole
/// tree, which was most of a `till batch` line's time. The grammar stays the commands' own.
enum LeafCommands {
    /// Keyed by the words themselves: one argument "wallet credit" names no command.
    private static let byPath: [[String]: any TillCommand.Type] = {
        var found: [[String]: any TillCommand.Type] = [:]
        func walk(_ command: any ParsableCommand.Type, path: [String]) {
            for sub in command.configuration.subcommands {
                let words = path + [sub._commandName]
                if let leaf = sub as? any TillCommand.Type, sub.configuration.subcommands.isEmpty {
                    found[words] = leaf
                }
                walk(sub, path: words)
            }
        }
        walk(TillRoot.self, path: [])
        return found
    }()

    /// The command `arguments` name, parsed by that leaf alone; nil when they name none, or
    /// when the leaf refuses them (the whole tree then parses them again, so a usage error or a
    /// help request reads exactly as it always did).
    static func parse(_ arguments: [String]) -> (any ParsableCommand)? {
        for length in [2, 1] where arguments.count >= length {
            guard let leaf = byPath[Array(arguments.prefix(length))] else { continue }
            return alone(leaf, TillCommandLine.negativeValuesAttached(Array(arguments.dropFirst(length))))
        }
        return nil
    }

    /// `arguments` parsed by `Leaf` alone; nil for anything but the leaf itself (its help, say,
    /// or a usage error), which is the whole tree's to answer.
    private static func alone<Leaf: TillCommand>(_ leaf: Leaf.Type, _ arguments: [String]) -> (any ParsableCommand)? {
        (try? Alone<Leaf>.parseAsRoot(arguments) as? Alone<Leaf>)?.command
    }

    /// A leaf as the root of its own parse. Named as a subcommand of `till`
    /// (`_superCommandName`), it is spared the parser's search of every line for a
    /// completion-script request, a quarter of a parse; the whole tree still answers that.
    private struct Alone<Leaf: TillCommand>: ParsableCommand {
        static var configuration: CommandConfiguration {
            var configuration = Leaf.configuration
            configuration._superCommandName = "till"
            return configuration
        }

        @OptionGroup var command: Leaf
    }
}
