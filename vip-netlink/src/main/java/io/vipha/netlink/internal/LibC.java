package io.vipha.netlink.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The C library calls the backend makes, bound with JNA's direct mapping (one JNI call each, no
 * reflection per call). A failing call throws {@link LastErrorException} carrying errno.
 * {@code size_t} and {@code ssize_t} are {@code long}: the backend refuses 32-bit JVMs.
 */
final class LibC {
  static {
    Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
  }

  private LibC() {}

  static native int socket(int domain, int type, int protocol) throws LastErrorException;

  static native int bind(int fd, Pointer address, int addressLength) throws LastErrorException;

  static native long sendto(int fd, Pointer buffer, long length, int flags, Pointer address,
      int addressLength) throws LastErrorException;

  static native long recv(int fd, Pointer buffer, long length, int flags)
      throws LastErrorException;

  static native long sendmsg(int fd, Pointer message, int flags) throws LastErrorException;

  static native long recvmsg(int fd, Pointer message, int flags) throws LastErrorException;

  static native int setsockopt(int fd, int level, int name, Pointer value, int length)
      throws LastErrorException;

  static native int close(int fd) throws LastErrorException;

  /** Closes {@code fd}; an error is ignored, as the descriptor is released either way. */
  static void closeQuietly(int fd) {
    try {
      close(fd);
    } catch (LastErrorException e) {
      // Linux releases the descriptor even when close reports an error.
    }
  }

  static native int open(String path, int flags) throws LastErrorException;

  static native int setns(int fd, int nstype) throws LastErrorException;

  /** {@code param} is {@code struct sched_param}: one int, the priority. */
  static native int sched_setscheduler(int pid, int policy, int[] param)
      throws LastErrorException;

  static native int mlockall(int flags) throws LastErrorException;

  /**
   * Calls that return -1 on failure and leave errno to {@link #errno()} instead of throwing: a
   * failure that is routine (EAGAIN from a socket with nothing queued) then creates no
   * exception. JNA saves errno after every call, per thread.
   */
  static final class Quiet {
    static {
      Native.register(Quiet.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private Quiet() {}

    static native long recv(int fd, Pointer buffer, long length, int flags);

    static native long sendto(int fd, Pointer buffer, long length, int flags, Pointer address,
        int addressLength);

    /** The errno of this thread's last failed call. */
    static int errno() {
      return Native.getLastError();
    }
  }
}
