package nearby;

import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.Run;
import dev.arrakis.hooks.Logits;
import dev.arrakis.model.TokenBatch;

/** Its config is two directories up: the processor looks beside the source file and in each directory above. */
@Experiment(config = "models/toy/config.json")
public class Nearby {

    @Input
    TokenBatch tokens() {
        return TokenBatch.of(new long[] {1, 2});
    }

    @Run
    float firstLogit(Logits logits) {
        return logits.get(0, 0, 0);
    }
}
