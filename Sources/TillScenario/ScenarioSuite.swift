public import Foundation

/// A fresh place to run one scenario: its executor, and `close`, which removes everything the
/// scenario left (its ledger, companion files, secrets) once it ends, passed or failed.
public struct ScenarioWorkspace: Sendable {
    public let executor: ScenarioExecutor
    public let close: @Sendable () -> Void

    public init(executor: @escaping ScenarioExecutor, close: @escaping @Sendable () -> Void) {
        self.executor = executor
        self.close = close
    }
}

/// Runs many scenario files, each in its own workspace (so each gets a fresh database), and
/// sums them up.
public enum ScenarioSuite {
    /// Runs the files in the order given. For each file: read and parse it (a parse error fails
    /// that file and nothing of it runs), ask `makeWorkspace` for a fresh workspace (an error
    /// fails that file), run it, close the workspace. `progress` hears each report as soon as
    /// it is ready.
    public static func run(
        files: [URL],
        makeWorkspace: @Sendable () async throws -> ScenarioWorkspace,
        progress: (@Sendable (ScenarioReport) async -> Void)? = nil
    ) async -> ScenarioSuiteReport {
        var reports: [ScenarioReport] = []
        for url in files {
            let report = await run(file: url, makeWorkspace: makeWorkspace)
            await progress?(report)
            reports.append(report)
        }
        return ScenarioSuiteReport(reports: reports)
    }

    private static func run(
        file url: URL, makeWorkspace: @Sendable () async throws -> ScenarioWorkspace
    ) async -> ScenarioReport {
        let scenario: Scenario
        do {
            scenario = try Scenario.load(contentsOf: url)
        } catch {
            return ScenarioReport(
                file: url.path, title: "(not read)", commandCount: 0, commandsRun: 0,
                failure: ScenarioFailure(line: error.line, message: error.message))
        }
        let workspace: ScenarioWorkspace
        do {
            workspace = try await makeWorkspace()
        } catch {
            return ScenarioReport(
                file: scenario.file, title: scenario.title, summary: scenario.summary,
                commandCount: scenario.commands.count, commandsRun: 0,
                failure: ScenarioFailure(line: 0, message: "could not prepare a fresh till: \(error.localizedDescription)"))
        }
        defer { workspace.close() }
        return await ScenarioRunner.run(scenario, executor: workspace.executor)
    }

    /// The scenario files named by `paths`: a file is taken as is, a directory gives its
    /// `.till` files (not recursive) sorted by name. A path that does not exist is an error.
    public static func files(at paths: [String]) throws(ScenarioParseError) -> [URL] {
        var urls: [URL] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ScenarioParseError(file: path, line: 0, message: "no such file or directory")
            }
            guard isDirectory.boolValue else {
                urls.append(URL(fileURLWithPath: path))
                continue
            }
            let names: [String]
            do {
                names = try manager.contentsOfDirectory(atPath: path)
            } catch {
                throw ScenarioParseError(file: path, line: 0, message: "cannot list the directory: \(error.localizedDescription)")
            }
            let directory = URL(fileURLWithPath: path, isDirectory: true)
            urls += names.filter { $0.hasSuffix(".till") }.sorted().map { directory.appendingPathComponent($0) }
        }
        return urls
    }
}

/// The result of a suite: one report per file, and the summary a person reads.
public struct ScenarioSuiteReport: Sendable, Equatable, CustomStringConvertible {
    public let reports: [ScenarioReport]

    public init(reports: [ScenarioReport]) {
        self.reports = reports
    }

    public var passedCount: Int { reports.filter(\.passed).count }
    public var failedCount: Int { reports.count - passedCount }
    public var allPassed: Bool { failedCount == 0 }

    /// The same as `rendered`, so a failed expectation on a suite shows the summary.
    public var description: String { rendered }

    /// One `PASS`/`FAIL` block per scenario, then `N scenarios: P passed, F failed`.
    public var rendered: String {
        (reports.map(\.rendered) + [summaryLine]).joined(separator: "\n")
    }

    public var summaryLine: String {
        "\(reports.count) scenario\(reports.count == 1 ? "" : "s"): \(passedCount) passed, \(failedCount) failed"
    }
}
