// SPDX-License-Identifier: MIT
/*
 * Java frames through the JIT: jitOuter -> jitMiddle -> jitInner ->
 * Socket.connect(127.0.0.1:9).  The chain is warmed up first (without
 * connecting) so that the JIT compiles it; the test runs it with
 * -XX:CompileCommand=dontinline,JitChain::* so that each method stays a
 * frame of its own, with -XX:+PreserveFramePointer so that its frames
 * chain, with -XX:-BackgroundCompilation so that the warm-up waits for the
 * compiled code, and with -XX:+DumpPerfMapAtExit so that /tmp/perf-PID.map
 * names them.  Exits 0 when the connect was refused as expected.
 */
import java.net.InetSocketAddress;
import java.net.Socket;

public class JitChain {
	static int jitInner(int n, boolean real) throws Exception {
		if (!real)
			return n + 1;
		try (Socket s = new Socket()) {
			s.connect(new InetSocketAddress("127.0.0.1", 9));
			return -2;
		} catch (java.net.ConnectException e) {
			return -1;
		}
	}

	static int jitMiddle(int n, boolean real) throws Exception {
		return jitInner(n ^ 1, real) + (real ? 0 : 1);
	}

	static int jitOuter(int n, boolean real) throws Exception {
		return jitMiddle(n + 1, real) + (real ? 0 : 2);
	}

	public static void main(String[] args) throws Exception {
		long sum = 0;

		for (int i = 0; i < 200000; i++)
			sum += jitOuter(i, false);
		/* Give the compiler threads time to install the compiled code. */
		Thread.sleep(300);
		for (int i = 0; i < 20000; i++)
			sum += jitOuter(i, false);
		System.exit(jitOuter((int)sum, true) == -1 ? 0 : 1);
	}
}
