import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// A request body must arrive within `timeout` of its head: otherwise 408 (when no response has
/// started) and the connection closes. Slow or silent heads are bounded by the idle timeout,
/// which partial heads do not reset.
final class BodyDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    /// When the current request's head arrived (nil once its end has).
    private var headAt: NIODeadline?
    private var responding = false

    init(timeout: TimeAmount) { self.timeout = timeout }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            cancel()
            headAt = .now()
        case .end:
            cancel()
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    /// The timer starts only when a read ends mid-request (bodiless requests arrive whole).
    func channelReadComplete(context: ChannelHandlerContext) {
        if let h = headAt, timer == nil {
            let loop = context.eventLoop.assumeIsolated()
            timer = loop.scheduleTask(deadline: h + timeout) { [self] in expire(context) }
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responding = true
        case .end: responding = false
        case .body: break
        }
        context.write(data, promise: promise)
    }

    private func expire(_ context: ChannelHandlerContext) {
        timer = nil
        guard context.channel.isActive else { return }
        if !responding {
            let body = ByteBuffer(string: #"{"type":"urn:rar:problem:request-timeout","title":"Request Timeout","status":408,"detail":"the request body did not arrive in time"}"# + "\n")
            let head = HTTPResponse(status: .requestTimeout, headerFields: [.contentType: "application/problem+json", .contentLength: String(body.readableBytes), .connection: "close"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(body)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.close(promise: nil)
    }

    private func cancel() {
        timer?.cancel()
        timer = nil
        headAt = nil
    }

    func handlerRemoved(context: ChannelHandlerContext) { cancel() }

    func channelInactive(context: ChannelHandlerContext) {
        cancel()
        context.fireChannelInactive()
    }
}

/// A path or query that does not percent-decode to UTF-8 is a 400, before any route sees it.
enum URLCheck {
    static func check(_ request: Request) throws {
        if HTTP.decoded(request.uri.path) == nil {
            throw Problem(.badRequest, "the path is not valid percent-encoded UTF-8")
        }
        if let q = request.uri.query, HTTP.decoded(q) == nil {
            throw Problem(.badRequest, "the query string is not valid percent-encoded UTF-8")
        }
    }
}
