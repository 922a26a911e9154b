/**
 * The Linux backend of vipha (rtnetlink through JNA). This release holds only the module: the
 * backend itself is not implemented yet and nothing here pretends to move addresses.
 */
module io.vipha.netlink {
  requires io.vipha.core;
  requires com.sun.jna;
}
