import java.io.*;
import java.lang.reflect.*;
import java.nio.charset.Charset;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.*;

/** Calls the public static methods and public constructors of the classes named on stdin, each with edge arguments
 *  (null, empty, negative, a missing file), and prints the stack trace of each exception their code throws after a
 *  "=== <method>" line. Run by scripts/harness_traces.py in a scratch directory: a method that writes or deletes
 *  files does so there. */
public class CallWithEdgeArguments {
    static Object[] pool(Class<?> t) {
        if (t == String.class) return new Object[]{null, "", "nonexistent/x", "a:b", "%%", "-1"};
        if (t == int.class || t == Integer.class) return new Object[]{-1, 0, Integer.MAX_VALUE};
        if (t == long.class || t == Long.class) return new Object[]{-1L, 0L, Long.MAX_VALUE};
        if (t == char.class) return new Object[]{'\0', '/'};
        if (t == boolean.class) return new Object[]{false, true};
        if (t == byte[].class) return new Object[]{null, new byte[0], new byte[]{1, 2}};
        if (t == char[].class) return new Object[]{null, new char[0]};
        if (t == String[].class) return new Object[]{null, new String[0], new String[]{null}};
        if (t == File.class) return new Object[]{null, new File("nonexistent/x"), new File("box-file")};
        if (t == Path.class) return new Object[]{null, Paths.get("nonexistent/x"), Paths.get("box-file")};
        if (t == Charset.class) return new Object[]{null};
        if (t == InputStream.class) return new Object[]{null, new ByteArrayInputStream(new byte[0])};
        if (t == OutputStream.class) return new Object[]{null, new ByteArrayOutputStream()};
        if (t == Reader.class) return new Object[]{null, new StringReader("")};
        if (t == Writer.class) return new Object[]{null, new StringWriter()};
        if (t.isPrimitive()) return null;
        return new Object[]{null};
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        ExecutorService pool = Executors.newCachedThreadPool(r -> { Thread t = new Thread(r); t.setDaemon(true); return t; });
        String name;
        while ((name = in.readLine()) != null) {
            Class<?> c;
            try { c = Class.forName(name); } catch (Throwable e) { continue; }
            if (!Modifier.isPublic(c.getModifiers()) || c.isInterface()) continue;
            List<Executable> calls = new ArrayList<>();
            for (Method m : c.getDeclaredMethods())
                if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers())) calls.add(m);
            if (!Modifier.isAbstract(c.getModifiers()))
                for (Constructor<?> k : c.getConstructors()) calls.add(k);
            calls.sort(Comparator.comparing(Executable::toString));
            for (Executable x : calls) {
                Class<?>[] types = x.getParameterTypes();
                Object[][] pools = new Object[types.length][];
                boolean ok = true;
                for (int i = 0; i < types.length; i++) { pools[i] = pool(types[i]); if (pools[i] == null) ok = false; }
                if (!ok) continue;
                // the first value of each, then each argument through its pool with the others at their second value
                List<Object[]> combos = new ArrayList<>();
                Object[] first = new Object[types.length];
                for (int i = 0; i < types.length; i++) first[i] = pools[i][0];
                combos.add(first);
                for (int i = 0; i < types.length; i++)
                    for (Object v : pools[i]) {
                        Object[] a = new Object[types.length];
                        for (int j = 0; j < types.length; j++) a[j] = j == i ? v : pools[j][Math.min(1, pools[j].length - 1)];
                        combos.add(a);
                    }
                for (Object[] a : combos) {
                    Future<?> f = pool.submit(() -> {
                        try {
                            if (x instanceof Method) ((Method) x).invoke(null, a); else ((Constructor<?>) x).newInstance(a);
                        } catch (InvocationTargetException e) {
                            StringWriter s = new StringWriter();
                            e.getCause().printStackTrace(new PrintWriter(s));
                            synchronized (System.out) { System.out.println("=== " + x); System.out.print(s); }
                        } catch (Throwable e) { }
                        return null;
                    });
                    try { f.get(2, TimeUnit.SECONDS); } catch (Throwable e) { f.cancel(true); }
                }
            }
        }
        System.out.flush();
        System.exit(0);
    }
}
