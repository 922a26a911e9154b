package io.vipha.vipd;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** A raw connection to a control socket: write bytes, read reply lines. */
final class ControlTestClient implements AutoCloseable {
  private final SocketChannel channel;
  private final OutputStream out;
  private final BufferedReader in;

  ControlTestClient(Path socket) throws IOException {
    channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    out = Channels.newOutputStream(channel);
    in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
        StandardCharsets.UTF_8));
  }

  /** Sends {@code bytes} as they are. */
  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Sends {@code line} and a newline; the reply line. */
  @Nullable String ask(String line) throws IOException {
    write((line + "\n").getBytes(StandardCharsets.UTF_8));
    return in.readLine();
  }

  /** The next reply line; null at the end of the stream. */
  @Nullable String read() throws IOException {
    return in.readLine();
  }

  /** A reply line as JSON; fails when there was none. */
  static com.fasterxml.jackson.databind.JsonNode json(@Nullable String line) throws IOException {
    if (line == null) {
      throw new AssertionError("no reply: the connection was closed");
    }
    return ControlProtocol.JSON.readTree(line);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
