import Foundation
import TillCore

/// GoblinPay's payouts API over HTTP (`till goblinpay serve`), with the partner API's shape:
/// `POST /api/payouts/?state=notifying` lists, `POST /api/payouts/<id>/` with the form field
/// `state=processing` acknowledges. Each exchange has its own deadline.
public struct PayoutClient: PayoutSource {
    public let baseURL: String
    public let timeout: Duration

    /// The notifying list is every payout not yet acknowledged: it may be long.
    public static let listTimeout = Duration.seconds(30)
    public static let maxListBytes = 256 << 20

    public init(url: String, timeout: Duration = .seconds(5)) {
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.timeout = timeout
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public func payouts(in state: String) async throws -> PayoutListing {
        guard state == "notifying" || state == "processing" else { throw Failure(description: "no such payout state") }
        let answer: HTTPExchange.Answer
        do {
            answer = try await HTTPExchange.send(
                "POST", "\(baseURL)/api/payouts/?state=\(state)", timeout: Self.listTimeout, maxAnswerBytes: Self.maxListBytes)
        } catch {
            throw Failure(description: "no answer from GoblinPay's payouts at \(baseURL) (\(GoblinPayClient.describe(error)))")
        }
        guard answer.status == 200 else { throw Failure(description: "GoblinPay's payout list answered HTTP \(answer.status)") }
        do {
            return try PayoutListing.decode(answer.body)
        } catch {
            throw Failure(description: "GoblinPay's payout list could not be read")
        }
    }

    public func acknowledge(id: String) async -> Bool {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        // Only an id a payout can have (never "." or "..", which would be path steps).
        guard Payout.isId(id), let path = id.addingPercentEncoding(withAllowedCharacters: allowed),
              let answer = try? await HTTPExchange.send(
                "POST", "\(baseURL)/api/payouts/\(path)/", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Array("state=processing".utf8), timeout: timeout),
              answer.status == 200,
              let list = try? JSONDecoder().decode([PayoutWire.Payout].self, from: Data(answer.body))
        else { return false }
        return list.contains { $0.id == id && $0.state == "processing" }
    }

    /// `GET /api/payouts/count`: how the partner sees the import.
    public func count() async throws -> PayoutWire.Count {
        let answer: HTTPExchange.Answer
        do {
            answer = try await HTTPExchange.send("GET", "\(baseURL)/api/payouts/count", timeout: timeout)
        } catch {
            throw Failure(description: "no answer from GoblinPay at \(baseURL) (\(GoblinPayClient.describe(error)))")
        }
        guard answer.status == 200, let count = try? JSONDecoder().decode(PayoutWire.Count.self, from: Data(answer.body)) else {
            throw Failure(description: "GoblinPay's payout count answered HTTP \(answer.status)")
        }
        return count
    }
}

/// A till that reaches GoblinPay as a service imports its payouts from the same place.
extension GoblinPayClient: PayoutSource {
    public func payouts(in state: String) async throws -> PayoutListing {
        try await PayoutClient(url: baseURL).payouts(in: state)
    }

    public func acknowledge(id: String) async -> Bool {
        await PayoutClient(url: baseURL).acknowledge(id: id)
    }
}
