package io.fedtt.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;

/**
 * What the chart's Service does for the federation port, on loopback: each new connection goes to
 * a replica whose {@code /readyz} answers 200 (only the leader is ready), so workers follow the
 * leader across a failover without knowing the replicas.
 */
final class ReadyService implements AutoCloseable {

  /** One replica: its federation port and its metrics port (for /readyz). */
  record Backend(IntSupplier federationPort, IntSupplier metricsPort) {}

  private final ServerSocket server;
  private final List<Backend> backends = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
  private volatile boolean closed;

  ReadyService() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "ready-service");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  void add(Backend b) {
    backends.add(b);
  }

  void remove(Backend b) {
    backends.remove(b);
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Thread t = new Thread(() -> route(client), "ready-service-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!closed) {
          System.err.println("ready-service: " + e);
        }
      }
    }
  }

  private void route(Socket client) {
    Backend target = null;
    for (Backend b : backends) {
      if (ready(b)) {
        target = b;
        break;
      }
    }
    if (target == null) {
      close(client);
      return;
    }
    try {
      Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target.federationPort().getAsInt());
      pipe(client, upstream);
      pipe(upstream, client);
    } catch (IOException e) {
      close(client);
    }
  }

  private boolean ready(Backend b) {
    try {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + b.metricsPort().getAsInt() + "/readyz")).timeout(Duration.ofSeconds(1)).build(),
          HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  private static void pipe(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException ignored) {
        // one side closed
      } finally {
        close(from);
        close(to);
      }
    }, "ready-service-pipe");
    t.setDaemon(true);
    t.start();
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
  }
}
