package io.vipha.spi;

import io.vipha.ValidationException;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Finds movers by type, through {@link java.util.ServiceLoader} (module-info {@code provides} and
 * {@code META-INF/services} both, since vipd runs on the class path).
 */
public interface MoverProvider {
  /**
   * The type that names this provider in a configuration: {@code "exec"}, {@code "aws-eip"},
   * {@code "aws-secondary-ip"}, {@code "openstack-floating-ip"}, {@code
   * "openstack-port-address"}.
   */
  String type();

  /**
   * Checks {@code settings} (the config object's fields other than "type", as strings) and
   * returns every problem at once (paths relative to the mover object), or an empty list. A field
   * written as a number or a boolean arrives as its text; an array or an object as its compact
   * JSON text (e.g. {@code ["/usr/local/bin/move","--region","x"]}). The fields every mover has,
   * {@code vips} and {@code timeout}, are the agent's and not passed; nor is a field named like a
   * credential, which the configuration refuses.
   */
  List<ValidationException.Problem> check(Map<String, String> settings);

  /** Creates the mover for {@code node}; {@code settings} passed check. */
  AddressMover create(String node, Map<String, String> settings);

  /**
   * The providers that {@link ServiceLoader} finds (the context class loader's, and the modules'
   * that provide one), by type in alphabetical order; the first found of a type wins.
   */
  static Map<String, MoverProvider> installed() {
    Map<String, MoverProvider> out = new TreeMap<>();
    for (MoverProvider p : ServiceLoader.load(MoverProvider.class)) {
      out.putIfAbsent(p.type(), p);
    }
    return out;
  }
}
