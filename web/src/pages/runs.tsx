import { PageHeader } from '../components/page-header';

export function RunsPage() {
  return <PageHeader title="runs" description="not built yet" />;
}
