package io.vipha.advisor;

/** The network appliance that runs behind the VIPs, as far as its HA recommendation goes. */
public enum Appliance {
  /** A pfSense appliance; its marketplace recommendation is Active/Active. */
  PFSENSE("pfSense"),
  /** A Palo Alto appliance; its marketplace recommendation is Active/Passive. */
  PALO_ALTO("Palo Alto"),
  /** Any other appliance, or none: no marketplace recommendation. */
  OTHER("other appliance");

  private final String label;

  Appliance(String label) {
    this.label = label;
  }

  /** The name as the advisor writes it, e.g. {@code pfSense}. */
  public String label() {
    return label;
  }
}
