import Foundation
import Hummingbird
import Logging
public import TillCore

/// What every request passes through, outermost first: the clock and the access log (method,
/// route, status, time; never a body, a query or a header), the metrics, the bearer token, and
/// the problem answers for paths and methods the API does not have.
struct FrontDoor: RouterMiddleware {
    typealias Context = BasicRequestContext
    let routes: RouteTable
    let token: APIToken
    let metrics: APIMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let match = routes.match(method: request.method, path: request.uri.path)
        let response: Response
        switch match {
        case .route(let route) where !route.open && !token.admits(request.headers[.authorization]):
            response = Self.unauthorized
        case .route:
            do { response = try await next(request, context) } catch { response = Self.problem(for: error) }
        case .otherMethods(let allowed):
            // Which methods a path takes is no secret; what is behind them is.
            if token.admits(request.headers[.authorization]) {
                var answer = Wire.problem(Rejection(.methodNotAllowed, "\(request.uri.path.echoed()) takes \(allowed.map(\.rawValue).joined(separator: ", "))."))
                answer.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                response = answer
            } else {
                response = Self.unauthorized
            }
        case .none:
            response = token.admits(request.headers[.authorization])
                ? Wire.problem(Rejection(.notFound, "There is no \(request.uri.path.echoed()) here."))
                : Self.unauthorized
        }
        let elapsed = ContinuousClock.now - start
        let routeName = match.routeName
        metrics.record(method: request.method.rawValue, route: routeName, status: response.status.code, elapsed: elapsed)
        logger.info("request", metadata: [
            "method": .string(request.method.rawValue), "route": .string(routeName),
            "status": .stringConvertible(response.status.code),
            "duration_us": .stringConvertible(elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000),
        ])
        return response
    }

    static var unauthorized: Response {
        var response = Wire.problem(Rejection(.unauthorized, "This request needs `Authorization: Bearer TOKEN` with the server's token."))
        response.headers[.wwwAuthenticate] = "Bearer"
        return response
    }

    /// Anything a handler let through (handlers answer their own rejections, so this is
    /// Hummingbird's own errors, e.g. a body cut short): an answer, never a dropped connection.
    static func problem(for error: any Error) -> Response {
        if let http = error as? any HTTPResponseError {
            switch http.status {
            case .contentTooLarge: return Wire.problem(Rejection(.bodyTooLarge))
            case .notFound: return Wire.problem(Rejection(.notFound))
            default: return Wire.problem(Rejection(.invalidRequest, "The request could not be read."), status: http.status.code < 500 ? http.status : .badRequest)
            }
        }
        return Wire.problem(Rejection(.storageError, "The request failed inside the server."))
    }
}

/// The API's token: `TILL_API_TOKEN`, or one made on first start and kept beside the ledger
/// (`<ledger>.token`, 0600). Compared in constant time.
public struct APIToken: Sendable {
    let secret: [UInt8]

    public init(_ secret: String) { self.secret = Array(secret.utf8) }

    /// For printing once, when it was just made.
    public var text: String { String(decoding: secret, as: UTF8.self) }

    /// Whether an `Authorization` header carries this token (`Bearer`, any case).
    func admits(_ header: String?) -> Bool {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        return Self.sameBytes(Array(header.utf8.dropFirst(7)), secret)
    }

    /// Equal or not, in a time that depends on the lengths only.
    static func sameBytes(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for index in 0..<expected.count {
            difference |= (index < given.count ? given[index] : 0) ^ expected[index]
        }
        return difference == 0 && !expected.isEmpty
    }

    /// The token to serve with, and whether it was just made (then printed once). A file that is
    /// readable by others is refused: the token would no longer be a secret.
    public static func load(environment: [String: String], tokenPath: String) throws(Rejection) -> (APIToken, made: Bool) {
        if let text = environment["TILL_API_TOKEN"] {
            guard text.count >= 16, text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0.value < 127 }) else {
                throw Rejection(.invalidRequest, "TILL_API_TOKEN must be at least 16 visible ASCII characters.")
            }
            return (APIToken(text), false)
        }
        let manager = FileManager.default
        if manager.fileExists(atPath: tokenPath) {
            guard let attributes = try? manager.attributesOfItem(atPath: tokenPath),
                  let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue,
                  let data = manager.contents(atPath: tokenPath)
            else { throw Rejection(.storageError, "Cannot read the API token at \(tokenPath.echoed(limit: 200)).") }
            guard mode & 0o077 == 0 else {
                throw Rejection(.storageError, "The API token \(tokenPath.echoed(limit: 200)) is readable by others (mode \(String(mode, radix: 8))); chmod 600 it.")
            }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.count >= 16 else { throw Rejection(.storageError, "The API token at \(tokenPath.echoed(limit: 200)) is too short.") }
            return (APIToken(text), false)
        }
        var generator = SystemRandomNumberGenerator()
        let text = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        // Created 0600 in one step: never readable by others, not even for a moment.
        guard manager.createFile(atPath: tokenPath, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Rejection(.storageError, "Cannot write the API token to \(tokenPath.echoed(limit: 200)).")
        }
        return (APIToken(text), true)
    }
}
