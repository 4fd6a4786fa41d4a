import { JobState_Enum } from 'apache-beam/proto/beam_job_api';
import type { Pipeline } from 'apache-beam/proto/beam_runner_api';
import { PipelineResult, Runner } from 'apache-beam/runners/runner';

/** A runner that only keeps the pipeline proto it is handed: graph construction, no execution. */
export class GraphCapturingRunner extends Runner {
  captured: Pipeline | null = null;
  async runPipeline(pipeline: Pipeline): Promise<PipelineResult> {
    this.captured = pipeline;
    return new (class GraphOnly extends PipelineResult {
      override async waitUntilFinish() {
        return JobState_Enum.DONE;
      }
    })();
  }
}
