package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket's mechanics, with a stand-in for the agent. */
class ControlServerTest {
  @TempDir Path dir;

  private static final ControlServer.Handler ECHO = (line, client) -> ControlProtocol.ok(
      ControlProtocol.JSON.getNodeFactory().textNode(line));

  private static JsonNode json(@Nullable String line) throws IOException {
    return ControlTestClient.json(line);
  }

  @Test
  void makesItsDirectoryOpensMode0660AndRemovesTheSocketOnClose() throws Exception {
    Path socket = dir.resolve("run/vipha/web-n1.sock");
    try (ControlServer s = ControlServer.open(socket, ECHO)) {
      assertThat(Files.getPosixFilePermissions(socket))
          .isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
      try (ControlTestClient c = new ControlTestClient(socket)) {
        assertThat(json(c.ask("one")).path("result").asText()).isEqualTo("one");
        assertThat(json(c.ask("two")).path("result").asText()).as("several per connection")
            .isEqualTo("two");
      }
      assertThat(s.requests()).isEqualTo(2);
    }
    assertThat(socket).doesNotExist();
    assertThat(socket.getParent()).isDirectory();
  }

  @Test
  void theHandlerLearnsWhoSentTheRequestFromTheKernel() throws Exception {
    Path socket = dir.resolve("n1.sock");
    try (ControlServer s = ControlServer.open(socket, (line, client) -> ControlProtocol.ok(
        ControlProtocol.JSON.getNodeFactory().textNode(client)));
        ControlTestClient c = new ControlTestClient(socket)) {
      assertThat(json(c.ask("who")).path("result").asText())
          .startsWith(System.getProperty("user.name") + ":");
    }
  }

  @Test
  void replacesAStaleSocketThatNobodyAnswersOn() throws Exception {
    Path socket = dir.resolve("n1.sock");
    ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    dead.bind(UnixDomainSocketAddress.of(socket));
    dead.close(); // the file stays, as after a crash
    assertThat(socket).exists();
    try (ControlServer s = ControlServer.open(socket, ECHO);
        ControlTestClient c = new ControlTestClient(socket)) {
      assertThat(json(c.ask("x")).path("ok").asBoolean()).isTrue();
    }
  }

  @Test
  void refusesASocketThatAnotherDaemonAnswersOnAndLeavesItAlone() throws Exception {
    Path socket = dir.resolve("n1.sock");
    try (ControlServer first = ControlServer.open(socket, ECHO)) {
      assertThatThrownBy(() -> ControlServer.open(socket, ECHO))
          .isInstanceOf(ControlServer.BindException.class)
          .hasMessage("another vipd answers on the control socket " + socket + "; it runs this"
              + " node already (or set another daemon.controlSocket)");
      try (ControlTestClient c = new ControlTestClient(socket)) {
        assertThat(json(c.ask("still")).path("result").asText()).isEqualTo("still");
      }
    }
  }

  @Test
  void refusesAPathThatIsNotASocket() throws Exception {
    Path file = Files.writeString(dir.resolve("n1.sock"), "data");
    assertThatThrownBy(() -> ControlServer.open(file, ECHO))
        .hasMessage("the control socket path " + file + " exists and is not a socket; remove"
            + " it or set another daemon.controlSocket");
    assertThat(file).hasContent("data");
  }

  @Test
  void aLineOver64KibGetsAnErrorAndTheConnectionIsClosed() throws Exception {
    Path socket = dir.resolve("n1.sock");
    try (ControlServer s = ControlServer.open(socket, ECHO)) {
      try (ControlTestClient c = new ControlTestClient(socket)) {
        String exactly = "x".repeat(ControlProtocol.MAX_LINE);
        assertThat(json(c.ask(exactly)).path("result").asText()).hasSize(ControlProtocol.MAX_LINE);
        JsonNode reply = json(c.ask("y".repeat(ControlProtocol.MAX_LINE + 1)));
        assertThat(reply.path("ok").asBoolean()).isFalse();
        assertThat(reply.path("error").path("code").asText()).isEqualTo("too-long");
        assertThat(reply.path("error").path("message").asText()).isEqualTo("the request is"
            + " longer than 65536 bytes; the connection is closed");
        assertThat(c.read()).isNull();
      }
      try (ControlTestClient c = new ControlTestClient(socket)) {
        c.write(new byte[200_000]); // no newline at all
        assertThat(json(c.read()).path("error").path("code").asText()).isEqualTo("too-long");
      }
    }
  }

  @Test
  void blankLinesGetNoReplyAndBytesThatAreNotUtf8GetAnError() throws Exception {
    Path socket = dir.resolve("n1.sock");
    try (ControlServer s = ControlServer.open(socket, ECHO);
        ControlTestClient c = new ControlTestClient(socket)) {
      c.write("\n  \r\n".getBytes(StandardCharsets.UTF_8));
      c.write(new byte[] {(byte) 0xff, (byte) 0xfe, '\n'});
      assertThat(json(c.read()).path("error").path("code").asText()).isEqualTo("bad-json");
      assertThat(json(c.ask("crlf\r")).path("result").asText()).isEqualTo("crlf");
    }
  }

  @Test
  void aFailingHandlerGetsAnErrorReplyAndTheServerGoesOn() throws Exception {
    Path socket = dir.resolve("n1.sock");
    ControlServer.Handler failing = (line, client) -> {
      if (line.equals("boom")) {
        throw new IllegalStateException("boom");
      }
      return ECHO.answer(line, client);
    };
    try (ControlServer s = ControlServer.open(socket, failing);
        ControlTestClient c = new ControlTestClient(socket)) {
      JsonNode reply = json(c.ask("boom"));
      assertThat(reply.path("error").path("code").asText()).isEqualTo("failed");
      assertThat(reply.path("error").path("message").asText()).contains("boom");
      assertThat(json(c.ask("after")).path("result").asText()).isEqualTo("after");
    }
  }

  @Test
  void oneConnectionMoreThanTheBoundGetsBusyAndAFreedSlotIsReused() throws Exception {
    Path socket = dir.resolve("n1.sock");
    try (ControlServer s = ControlServer.open(socket, ECHO)) {
      List<ControlTestClient> held = new ArrayList<>();
      for (int i = 0; i < ControlServer.MAX_CONNECTIONS; i++) {
        ControlTestClient c = new ControlTestClient(socket);
        assertThat(json(c.ask("hold " + i)).path("ok").asBoolean()).isTrue();
        held.add(c);
      }
      try (ControlTestClient extra = new ControlTestClient(socket)) {
        JsonNode reply = json(extra.read());
        assertThat(reply.path("error").path("code").asText()).isEqualTo("busy");
        assertThat(extra.read()).isNull();
      }
      held.remove(0).close();
      boolean served = LocalDaemons.await(5, () -> {
        try (ControlTestClient again = new ControlTestClient(socket)) {
          return json(again.ask("again")).path("ok").asBoolean();
        } catch (IOException e) {
          return false;
        }
      });
      assertThat(served).as("a freed slot serves a new client").isTrue();
      for (ControlTestClient c : held) {
        c.close();
      }
    }
  }
}
