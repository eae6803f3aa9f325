package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.testing.compile.Compilation;
import dev.arrakis.hooks.AttentionPattern;
import dev.arrakis.hooks.NormScale;
import dev.arrakis.hooks.Residual;
import dev.arrakis.hooks.TypedHook;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generated {@code Gpt2Hooks}, loaded and called: names, activation types and the layer range check. */
class HooksClassBehaviourTest {
    private static Class<?> hooks;

    @BeforeAll
    static void compileAndLoad() throws ClassNotFoundException {
        Compilation compilation = Compilations.compile(Compilations.gpt2Experiment("Probe", ""));
        assertThat(compilation).succeeded();
        Map<String, byte[]> classes = new HashMap<>();
        for (JavaFileObject file : compilation.generatedFiles()) {
            String path = file.toUri().getPath();
            if (file.getKind() == JavaFileObject.Kind.CLASS && path.contains("/test/")) {
                String name = path.substring(path.indexOf("/test/") + 1, path.length() - ".class".length())
                        .replace('/', '.');
                try (InputStream in = file.openInputStream()) {
                    classes.put(name, in.readAllBytes());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        ClassLoader loader = new ClassLoader(HooksClassBehaviourTest.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                byte[] bytes = classes.get(name);
                if (bytes == null) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(name, bytes, 0, bytes.length);
            }
        };
        hooks = loader.loadClass("test.Gpt2Hooks");
    }

    private static Object call(Object target, String method, Object... arguments) throws ReflectiveOperationException {
        for (Method candidate : (target instanceof Class<?> type ? type : target.getClass()).getMethods()) {
            if (candidate.getName().equals(method) && candidate.getParameterCount() == arguments.length) {
                return candidate.invoke(target instanceof Class<?> ? null : target, arguments);
            }
        }
        throw new NoSuchMethodException(method);
    }

    @Test
    void typedAccessorsGroupedLikeTheNames() throws ReflectiveOperationException {
        Object block = call(hooks, "blocks", 9);
        assertEquals(new TypedHook<>("blocks.9.attn.hook_pattern", AttentionPattern.class),
                call(call(block, "attn"), "pattern"));
        assertEquals(new TypedHook<>("blocks.3.hook_resid_pre", Residual.class),
                call(call(hooks, "blocks", 3), "residPre"));
        assertEquals(new TypedHook<>("hook_embed", Residual.class), call(hooks, "embed"));
        assertEquals(new TypedHook<>("ln_final.hook_scale", NormScale.class), call(call(hooks, "lnFinal"), "scale"));
    }

    @Test
    void constantsForAnnotations() throws ReflectiveOperationException {
        assertEquals("blocks.9.attn.hook_pattern", hooks.getField("L9_ATTN_PATTERN").get(null));
        assertEquals("hook_embed", hooks.getField("EMBED").get(null));
        assertEquals("ln_final.hook_scale", hooks.getField("LN_FINAL_SCALE").get(null));
        assertEquals("hook_resid_pre", hooks.getField("RESID_PRE").get(null));
        assertEquals("attn.hook_pattern", hooks.getField("ATTN_PATTERN").get(null));
        assertEquals("mlp.hook_post", hooks.getField("MLP_POST").get(null));
    }

    @Test
    void layerOutsideTheModelIsRejectedWithItsRange() {
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> call(hooks, "blocks", 12));
        assertEquals(IndexOutOfBoundsException.class, thrown.getCause().getClass());
        assertEquals("layer 12 does not exist in gpt2 (layers 0..11)", thrown.getCause().getMessage());
    }

    @Test
    void aTypedHookForOneKindOfActivationDoesNotCompileAtAnother() {
        JavaFileObject misuse = com.google.testing.compile.JavaFileObjects.forSourceString("test.Misuse", """
                package test;

                import dev.arrakis.hooks.ActivationHook;
                import dev.arrakis.hooks.Residual;
                import dev.arrakis.hooks.RunOptions;

                class Misuse {
                    RunOptions options() {
                        ActivationHook<Residual> keep = (residual, context) -> residual;
                        RunOptions fine = RunOptions.none().withHook(Gpt2Hooks.blocks(1).residPre(), keep);
                        return fine.withHook(Gpt2Hooks.blocks(1).attn().pattern(), keep);
                    }
                }
                """);
        Compilation compilation = Compilations.compile(Compilations.gpt2Experiment("Probe", ""), misuse);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining("withHook")
                .inFile(misuse)
                .onLineContaining("attn().pattern(), keep)");
    }
}
