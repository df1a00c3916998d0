import { PageHeader } from '../components/page-header';

export function RunPage() {
  return <PageHeader title="run" description="not built yet" />;
}
