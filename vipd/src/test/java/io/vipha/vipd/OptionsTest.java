package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OptionsTest {
  @Test
  void readsEveryFlagWithSpaceOrEquals() {
    Options o = Options.parse("--config", "/etc/vipha/vipha.json", "--node=n1", "--group", "web",
        "--key-file=/etc/vipha/web.key", "--namespace", "blue", "--control-socket",
        "/run/t/n1.sock", "--check");
    assertThat(o).isEqualTo(new Options(Path.of("/etc/vipha/vipha.json"), "n1", "web",
        Path.of("/etc/vipha/web.key"), "blue", Path.of("/run/t/n1.sock"), true, false, false));
  }

  @Test
  void helpAndVersionNeedNothingElse() {
    assertThat(Options.parse("--help").help()).isTrue();
    assertThat(Options.parse("--version").version()).isTrue();
  }

  @Test
  void configAndNodeAreRequired() {
    assertThatThrownBy(() -> Options.parse("--node", "n1")).isInstanceOf(UsageException.class)
        .hasMessage("--config FILE is required");
    assertThatThrownBy(() -> Options.parse("--config", "c.json"))
        .hasMessage("--node ID is required");
  }

  @Test
  void rejectsWhatItDoesNotKnow() {
    assertThatThrownBy(() -> Options.parse("--confg", "c.json"))
        .hasMessage("unknown option --confg");
    assertThatThrownBy(() -> Options.parse("c.json")).hasMessage("unexpected argument c.json;"
        + " every option is a --flag");
    assertThatThrownBy(() -> Options.parse("--config", "a", "--config", "b", "--node", "n1"))
        .hasMessage("--config is given twice");
    assertThatThrownBy(() -> Options.parse("--node", "--config", "c.json"))
        .hasMessage("--node needs a value");
    assertThatThrownBy(() -> Options.parse("--config=", "--node", "n1"))
        .hasMessage("--config needs a value; got an empty one");
    assertThatThrownBy(() -> Options.parse("--check=yes")).hasMessage("--check takes no value");
  }
}
