import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for download tests: it serves
/// the bodies it is given, honours `Range: bytes=N-` with 206, and can cut a body short
/// (Content-Length says the whole size) to act as a connection that drops halfway.
final class LoopbackHTTPServer: @unchecked Sendable {
  struct Route {
    var body: Data
    /// Close the connection after this many body bytes of a full (200) response.
    var stopAfter: Int? = nil
  }

  let port: UInt16
  private let listener: Int32
  private let lock = NSLock()
  private var routes: [String: Route]
  private var seen: [(path: String, range: String?)] = []

  init(routes: [String: Route]) throws {
    self.routes = routes
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
        bind(fd, p, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, p, &length) == 0
      }
    }
    guard bound else {
      close(fd)
      throw POSIXError(.EADDRNOTAVAIL)
    }
    listener = fd
    port = UInt16(bigEndian: addr.sin_port)
    let thread = Thread { [self] in serve() }
    thread.start()
  }

  var baseURL: String { "http://127.0.0.1:\(port)/" }

  /// The requests served so far: path and Range header.
  var requests: [(path: String, range: String?)] { lock.withLock { seen } }

  func setRoute(_ path: String, _ route: Route) { lock.withLock { routes[path] = route } }

  /// Stops accepting; later connections are refused.
  func stop() {
    shutdown(listener, Int32(SHUT_RDWR))
    close(listener)
  }

  private func serve() {
    while true {
      let client = accept(listener, nil, nil)
      if client < 0 { return }
      handle(client)
      close(client)
    }
  }

  private func handle(_ client: Int32) {
    var request = Data()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while !request.contains(Data("\r\n\r\n".utf8)) {
      let n = read(client, &buffer, buffer.count)
      if n <= 0 { return }
      request.append(contentsOf: buffer[0..<n])
    }
    let lines = String(decoding: request, as: UTF8.self).components(separatedBy: "\r\n")
    let parts = lines.first?.split(separator: " ") ?? []
    let path = parts.count > 1 ? String(parts[1]) : "/"
    let range = lines.first { $0.lowercased().hasPrefix("range:") }
      .map { $0.dropFirst(6).trimmingCharacters(in: .whitespaces) }
    let route = lock.withLock { () -> Route? in
      seen.append((path, range))
      return routes[path]
    }
    guard let route else {
      send(client, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
      return
    }
    if let range, range.hasPrefix("bytes="), let start = Int(range.dropFirst(6).dropLast()),
      start < route.body.count
    {
      let rest = route.body.subdata(in: start..<route.body.count)
      send(client, "HTTP/1.1 206 Partial Content\r\nContent-Length: \(rest.count)\r\n"
        + "Content-Range: bytes \(start)-\(route.body.count - 1)/\(route.body.count)\r\n"
        + "Connection: close\r\n\r\n")
      send(client, rest)
      return
    }
    send(client, "HTTP/1.1 200 OK\r\nContent-Length: \(route.body.count)\r\nConnection: close\r\n\r\n")
    send(client, route.body.prefix(route.stopAfter ?? route.body.count))
  }

  private func send(_ client: Int32, _ text: String) { send(client, Data(text.utf8)) }

  private func send(_ client: Int32, _ data: Data) {
    data.withUnsafeBytes { raw in
      guard let base = raw.baseAddress else { return }
      var offset = 0
      while offset < raw.count {
        let n = write(client, base + offset, raw.count - offset)
        if n <= 0 { return }
        offset += n
      }
    }
  }
}
