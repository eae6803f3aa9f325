package dev.arrakis.processor.emit;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;

/** The settings every generated file shares, so that all of them look alike and none carries a timestamp. */
public final class GeneratedFiles {
    private GeneratedFiles() {}

    public static JavaFile javaFile(String packageName, TypeSpec type) {
        return JavaFile.builder(packageName, type)
                .skipJavaLangImports(true)
                .indent("    ")
                .build();
    }

    /**
     * {@code @Generated("...")} without a date, so output is reproducible; null when the annotation is not on the
     * compile class path (it lives in the {@code java.compiler} module, which a module build may not read).
     */
    public static AnnotationSpec generated(String generator, boolean available) {
        return available ? AnnotationSpec.builder(RuntimeNames.GENERATED).addMember("value", "$S", generator).build()
                : null;
    }

    /**
     * Generated code calls the user's methods; if they are deprecated, a user's {@code -Werror} build must not fail
     * on code they did not write.
     */
    public static AnnotationSpec suppressDeprecation() {
        return AnnotationSpec.builder(SuppressWarnings.class)
                .addMember("value", "{$S, $S}", "deprecation", "removal")
                .build();
    }
}
